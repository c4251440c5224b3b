import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      '.data',
      '.tmp',
      '.tools',
      'e2e-artifacts',
      'test-results',
      'playwright-report',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.tsx', 'src/**/use*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // The domain core is shared by browser and Node: no I/O, no NATS, no React.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: ['node:*', '@nats-io/*', 'react', 'react-dom', '@tanstack/*', '**/nats/*', '**/engine/*'],
        },
      ],
      'no-restricted-globals': ['error', 'Date', 'fetch', 'setTimeout', 'setInterval', 'performance'],
    },
  },
  {
    // Only src/nats talks to NATS.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/nats/**', 'src/core/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nats-io/*'] }],
    },
  },
);
