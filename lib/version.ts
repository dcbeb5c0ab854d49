/** The package version. Must match package.json (test/constants.test.ts checks it). */
export const version = '0.1.0';
