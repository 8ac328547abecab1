import { defineConfig } from 'vitest/config';

// `npm run e2e`: the suites that need the real control plane (scripts/install-control-plane.sh).
// One control plane per run (globalSetup), files one after another since they share it.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
