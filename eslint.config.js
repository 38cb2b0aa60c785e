import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Dependencies point one way (ARCHITECTURE.md): these rules make a wrong-way import fail lint.
const noAppImports = {
  patterns: [
    { group: ['~/*', '**/app/**'], message: 'Packages, plugins and db never import the app.' },
  ],
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'build/**', '.obstack/**', 'tests/.artifacts/**', 'bench/.data/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  {
    files: ['app/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['packages/**', 'plugins/**', 'db/**'],
    rules: { 'no-restricted-imports': ['error', noAppImports] },
  },
  {
    // UI components get data from loaders; they never reach server modules.
    files: ['app/components/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['~/.server/*', '**/.server/**', '@obstack/db'], message: 'Components are presentational: no server code.' }] }],
    },
  },
  {
    files: ['scripts/**', 'tests/**', 'bench/**', 'bin/**', '*.config.*'],
    rules: { 'no-console': 'off' },
  },
);
