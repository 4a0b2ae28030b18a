import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: on a busy machine (two CPU burners beside the suite, or other work) a CLI test that
    // spawns a dozen processes takes a minute. Tests wait for conditions, never for time, so a
    // long limit costs nothing when they pass.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more parallel files only add contention on the shared PostgreSQL and CPU.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
