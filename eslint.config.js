import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dashboard/dist/', 'cdk.out/', '.data/', 'coverage/', '.bench/', 'client/dist/', 'cli/dist/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Tests read loosely typed JSON responses; the AWS stand-ins read loosely typed requests.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'client/test/**/*.ts', 'cli/test/**/*.ts', 'local/aws/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
