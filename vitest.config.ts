import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    // oclif's runCommand captures nothing while vitest intercepts the console.
    disableConsoleIntercept: true,
    allowOnly: false,
    // e2e tests run the real supabase binary, PGlite and PostgreSQL; on a loaded 2-core machine a push of the
    // realistic set took 62 s. A hang guard, not a performance assertion (timing lives in bench/).
    testTimeout: 180_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        // e2e suites spawn many real processes; two cores are shared by all of them.
        test: {
          name: 'sbx',
          include: ['test/**/*.test.ts'],
          exclude: ['test/timing/**'],
          maxWorkers: 2,
          sequence: {groupOrder: 0},
        },
      },
      {
        extends: true,
        // Checks of a model of the target's speed against measured runs: alone, after every other file.
        test: {name: 'timing', include: ['test/timing/**/*.test.ts'], maxWorkers: 1, sequence: {groupOrder: 1}},
      },
    ],
  },
})
