import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    // oclif's runCommand captures nothing while vitest intercepts the console.
    disableConsoleIntercept: true,
    allowOnly: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e suites spawn many real processes; two cores are shared by all of them.
    fileParallelism: true,
    maxWorkers: 2,
  },
})
