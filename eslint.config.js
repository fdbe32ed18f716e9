// Lint: typescript-eslint with type information (floating promises and misused
// promises are the bugs an async daemon actually ships), the import directions
// of the architecture (docs/architecture.md), and a few formatting rules that
// match how the code is written. `npm run lint` (part of `npm test`); `--fix`
// repairs the formatting ones.
import tseslint from 'typescript-eslint';
import stylistic from '@stylistic/eslint-plugin';

/** Folders a product folder must not import from. */
const layers = {
  config: ['agent', 'coordinator', 'bench', 'cli', 'fleet', 'simulator', 'transport', 'kernels', 'test', 'harness'],
  protocol: ['agent', 'coordinator', 'bench', 'cli', 'fleet', 'simulator', 'transport', 'test', 'harness'],
  lifecycle: ['agent', 'coordinator', 'bench', 'cli', 'fleet', 'simulator', 'test', 'harness'],
  transport: ['agent', 'coordinator', 'bench', 'cli', 'fleet', 'simulator', 'test', 'harness'],
  kernels: ['agent', 'coordinator', 'bench', 'cli', 'fleet', 'simulator', 'transport', 'test', 'harness'],
  agent: ['coordinator', 'bench', 'cli', 'fleet', 'simulator', 'test', 'harness'],
  coordinator: ['agent', 'bench', 'cli', 'fleet', 'simulator', 'test', 'harness'],
  fleet: ['agent', 'coordinator', 'bench', 'cli', 'simulator', 'test', 'harness'],
  simulator: ['coordinator', 'bench', 'cli', 'fleet', 'test', 'harness'],
  cli: ['bench', 'test', 'harness'],
  economics: ['agent', 'coordinator', 'bench', 'cli', 'fleet', 'simulator', 'test', 'harness'],
  bench: ['test'],
  scripts: ['test'],
  harness: ['agent', 'coordinator', 'cli', 'fleet', 'simulator', 'test', 'bench'],
};

const restrict = Object.entries(layers).map(([folder, banned]) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: banned.map((b) => ({ group: [`**/${b}/**`, `../${b}/*`, `../../${b}/*`, `../../../${b}/*`], message: `${folder}/ must not import ${b}/ (docs/architecture.md, "Import directions")` })),
    }],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'kernels/**/generated/**', '**/*.js', '!eslint.config.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@stylistic': stylistic },
    rules: {
      // node:test's test()/describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: ['error', 'always'],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['TemplateLiteral *', 'ConditionalExpression *'] }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/eol-last': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1 }],
    },
  },
  ...restrict,
);
