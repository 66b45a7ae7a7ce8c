import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The operators' UI, built into ui/dist, which the engine serves at / (engine/src/api/ui.ts).
 * Everything is bundled: the UI loads nothing from another origin. @baton/definitions is bundled
 * from its TypeScript source, so the editor validates with exactly the server's schemas and checks.
 * `npm run dev -w ui` serves it with hot reload against an engine on localhost:8080.
 */
/** Puts the built ELK worker's file name into index.html, whose inline script starts it early. */
const elkWorkerUrl: Plugin = {
  name: 'baton-elk-worker-url',
  transformIndexHtml: {
    order: 'post',
    handler(html, ctx) {
      const file = Object.keys(ctx.bundle ?? {}).find((f) => /elk-worker.*\.js$/.test(f));
      return html.replace('%ELK_WORKER_URL%', file ? `/${file}` : '');
    },
  },
};

export default defineConfig({
  root: here('.'),
  plugins: [elkWorkerUrl],
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
      // A few chunks by purpose instead of one per shared module: a browser opens at most six
      // connections to the engine, and a page that needs a dozen small files waits for them in turn.
      output: {
        codeSplitting: {
          groups: [
            // Everything's foundation first, so that no other group pulls it in with its dependencies.
            {
              name: 'react',
              priority: 6,
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser|@tanstack)[\\/]/,
            },
            {
              name: 'graph',
              priority: 3,
              test: /node_modules[\\/](@xyflow|elkjs[\\/]lib[\\/]elk-api|d3-|classcat|zustand)|ui[\\/]src[\\/]graph[\\/]|RunGraph/,
            },
            {
              name: 'editor',
              priority: 2,
              test: /node_modules[\\/](@codemirror|@lezer|codemirror|crelt|style-mod|w3c-keyname|@marijn|yaml)[\\/]|ui[\\/]src[\\/]editor[\\/]/,
            },
            {
              name: 'definitions',
              priority: 5,
              test: /definitions[\\/]src|node_modules[\\/](ajv|ajv-formats|fast-uri|fast-deep-equal|json-schema-traverse|js-yaml)[\\/]/,
            },
            { name: 'common', priority: 4, test: /ui[\\/]src[\\/](components|lib|api)[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/health': 'http://127.0.0.1:8080', '/metrics': 'http://127.0.0.1:8080' },
  },
});
