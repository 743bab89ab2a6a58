import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.tools/**', '.cache/**', 'compiler/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The core, the CLI and the extension's pure logic never touch the vscode API: they are tested in plain Node
    // (src/extension/logic is vscode-eslint's node-utils idea: editor-only code that still runs without an editor).
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/extension/logic/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core, src/cli and src/extension/logic must not import vscode; put editor code in src/extension.' }] }],
    },
  },
  {
    // No import cycles in src/: a cycle hides which module owns what and forces two-step initialisation (the old
    // policyWatcher.attach). The error sits on the import that closes the cycle. `import type` lines are not followed
    // (they vanish from the compiled code), so write them only for a dependency that really is on types alone.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // The cycle walk parses every imported file: TypeScript needs its parser, and imports omit the .ts extension.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
