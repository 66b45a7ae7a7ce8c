// One jest run over every workspace. Tests are TypeScript compiled by swc (type-checking is done
// once by `tsc -b` in the build step, not per test file).
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
  projects: ['definitions', 'workers-sdk', 'engine', 'cli', 'ui'].map(project),
};
