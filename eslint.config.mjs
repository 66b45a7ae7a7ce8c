// ESLint over every workspace's TypeScript (typescript-eslint's recommended rules); formatting is
// Prettier's job (.prettierrc.json), so rules that only concern layout are off (eslint-config-prettier).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.venv/**',
      'compat/**',
      'fuzz-report/**',
      'test-artifacts/**',
      '.bench/**',
      '**/*.generated.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts}'],
    rules: {
      // Unused names are errors, except deliberately ignored ones (`_`-prefixed).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.{js,cjs,mjs}'],
    languageOptions: {
      globals: Object.fromEntries(
        ['require', 'module', 'process', '__dirname', 'console', 'setTimeout', 'clearTimeout', 'fetch', 'URL', 'Buffer'].map((g) => [
          g,
          'readonly',
        ]),
      ),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read response bodies loosely; `any` stays banned where modules meet (src).
    files: ['**/test/**/*.{ts,tsx}', 'scripts/src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
