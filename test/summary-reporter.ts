import type {Reporter, TestModule} from 'vitest/node'

/** Ends the run with the plain `N passed, N failed` line that CI reads whatever the test runner. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.reduce((n, module) => n + [...module.children.allTests(state)].length, 0)
    const skipped = count('skipped')
    process.stdout.write(
      `\n${count('passed')} passed, ${count('failed')} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    )
  }
}
