import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['function/**/*.test.ts', 'test/**/*.test.ts'],
    // The real control plane suites run with `npm run e2e` (vitest.e2e.config.ts) only.
    exclude: [...configDefaults.exclude, 'test/e2e/**'],
    // The real-Crossplane suites build the CLI and spawn servers; they set their own timeouts.
    testTimeout: 20_000,
    pool: 'forks',
  },
});
