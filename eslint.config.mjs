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
);
