/** Jest: TypeScript through @swc/jest; ESM-only dependencies are transformed too. */
const esmDeps = ['delaunator', 'robust-predicates', 'd3-contour', 'd3-array', 'internmap', 'jose'];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmDeps.join('|')})/)`],
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/helpers/fast-check-seed.ts'],
};
