import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The operators' UI, built into ui/dist, which the engine serves at / (engine/src/api/ui.ts).
 * Everything is bundled: the UI loads nothing from another origin. @baton/definitions is bundled
 * from its TypeScript source, so the editor validates with exactly the server's schemas and checks.
 * `npm run dev -w ui` serves it with hot reload against an engine on localhost:8080.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  resolve: {
    alias: {
      '@baton/definitions': here('../definitions/src/index.ts'),
      '@baton/protocol': here('../protocol/src/index.ts'),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      // React Server Components' "use client" markers in dependencies mean nothing in a client-only build.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/health': 'http://127.0.0.1:8080', '/metrics': 'http://127.0.0.1:8080' },
  },
});
