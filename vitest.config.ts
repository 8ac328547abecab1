import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['function/**/*.test.ts', 'test/**/*.test.ts'],
    // The real-Crossplane suites build the CLI and spawn servers; they set their own timeouts.
    testTimeout: 20_000,
    pool: 'forks',
  },
});
