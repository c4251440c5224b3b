import fs from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import pluginQuery from '@tanstack/eslint-plugin-query';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

/**
 * Which layer of src/ may import which: imports only go down (docs/architecture.md#code-layout). A layer not
 * listed under another may not be imported by it; a folder of src/ missing here fails the build below, so a new
 * one has to be placed in the picture first.
 */
const MAY_IMPORT = {
  core: [],
  lib: ['core'],
  nats: ['core', 'lib'],
  engine: ['core', 'lib', 'nats'],
  common: ['core', 'lib', 'engine'],
  features: ['core', 'lib', 'engine', 'common'],
  shell: ['core', 'lib', 'engine', 'common', 'features'],
  'command-line': ['core', 'lib', 'nats'],
  cli: ['core', 'lib', 'nats', 'command-line'],
  workers: ['core', 'lib', 'nats', 'command-line'],
};
const LAYERS = Object.keys(MAY_IMPORT);
const srcFolders = fs
  .readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const unplaced = srcFolders.filter((folder) => !LAYERS.includes(folder));
if (unplaced.length > 0) {
  throw new Error(`eslint.config.js: place src/${unplaced.join(', src/')} in MAY_IMPORT before using it`);
}
const features = fs
  .readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const layerZones = LAYERS.flatMap((layer) => {
  const forbidden = LAYERS.filter((other) => other !== layer && !MAY_IMPORT[layer].includes(other));
  return forbidden.map((other) => ({
    target: `./src/${layer}`,
    from: `./src/${other}`,
    message: `src/${layer} may import only ${MAY_IMPORT[layer].join(', ') || 'itself'} (docs/architecture.md#code-layout).`,
  }));
});
// Pages are composed by the shell; one feature reaching into another would tie pages together.
const featureZones = features.map((feature) => ({
  target: `./src/features/${feature}`,
  from: './src/features',
  except: [`./${feature}`],
  message:
    'A feature never imports another feature; the shell composes them (docs/architecture.md#code-layout).',
}));
// Only the entry point mounts the shell.
const shellZone = {
  target: './src/!(shell|main.tsx)/**',
  from: './src/shell',
  message: 'Nothing but src/main.tsx imports the shell.',
};

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
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A caught value is rethrown or passed on as it came; wrapping it would hide its kind from classifyNatsError.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests compare with asymmetric matchers (`expect.any`, typed any), fake async ports without awaiting, and
    // print whatever a failed wait last saw.
    files: ['**/*.test.ts', 'test/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    files: ['src/**/*.tsx', 'src/**/use*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  ...pluginQuery.configs['flat/recommended'],
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...featureZones, shellZone] }],
    },
  },
  {
    // The domain core is shared by browser and Node: no I/O, no NATS, no React, no clock.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', '@nats-io/*', 'react', 'react-dom', '@tanstack/*'] },
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
  {
    // Helpers shared by the engine (a browser worker) and the Node workers: timers, nothing of either runtime.
    // Which src layers it may import is in MAY_IMPORT above.
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', '@nats-io/*', 'react', 'react-dom', '@tanstack/*'] },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'self', 'navigator', 'process', 'indexedDB'],
    },
  },
);
