// One jest run over every workspace. Tests are TypeScript compiled by swc, which checks no types:
// `npm test` type-checks them first, in one program (tsconfig.tests.json).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
const project = (name) => ({
  displayName: name,
  rootDir: `<rootDir>/${name}`,
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': swc },
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@baton/protocol$': '<rootDir>/../protocol/src/index.ts',
    '^@baton/definitions$': '<rootDir>/../definitions/src/index.ts',
    '^@baton/workers-sdk$': '<rootDir>/../workers-sdk/src/index.ts',
    '^@baton/engine$': '<rootDir>/../engine/src/index.ts',
  },
});
module.exports = {
  rootDir: __dirname,
  // jest's default of 5 s per test and hook is a timed assertion in disguise: on a loaded 2-core
  // machine an engine restart in a test took longer and failed. Tests wait for conditions; this only
  // stops a hang. (A global option: with projects, jest ignores it in a project's config.)
  testTimeout: 60_000,
  projects: ['definitions', 'workers-sdk', 'engine', 'cli', 'ui'].map(project),
};
