// ESLint flat config: typescript-eslint strict rules and no `any` for TypeScript; regexp checks (recommended set,
// no super-linear backtracking or moves) for every source file, JavaScript included.
import js from '@eslint/js';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

/** Files under `files` may not import from the lib folders named in `above`. */
function layer(files, above) {
  const group = above.flatMap((name) => [`**/${name}/*`, `**/${name}`]);
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group, message: 'lib layering: this folder may not depend on that one' }] },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.serverless/**', 'coverage/**', 'bench/out/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // Dependencies point one way: functions → lib; core touches nothing above it; readers never reach the
  // database, HTTP or the service layer; auth and loris stay below the service layer.
  layer(['lib/core/**/*.ts'], ['service', 'loris', 'api', 'demo', 'auth', 'meegqc', 'uploads']),
  layer(['lib/readers/**/*.ts'], ['service', 'loris', 'api', 'demo', 'auth']),
  layer(['lib/auth/**/*.ts', 'lib/loris/**/*.ts'], ['service', 'api', 'demo']),
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    extends: [regexp.configs['flat/recommended']],
    rules: {
      // Patterns run on file and request content: a regex that backtracks super-linearly is a denial of service.
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': ['error', { ignorePartial: false, ignoreSticky: false }],
    },
  },
);
