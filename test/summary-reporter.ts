import type {Reporter, TestModule} from 'vitest/node'

/**
 * Lists every test that did not run, with the reason it gave (`context.skip(reason)`), then ends the run with
 * the plain `N passed, N failed` line that CI reads whatever the test runner.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tests = (state: 'passed' | 'failed' | 'skipped') =>
      testModules.flatMap((module) => [...module.children.allTests(state)])
    const skipped = tests('skipped')
    if (skipped.length > 0) {
      process.stdout.write(`\nNot run (${skipped.length}):\n`)
      for (const test of skipped) {
        const result = test.result()
        const reason = (result.state === 'skipped' && result.note) || 'no reason given'
        process.stdout.write(
          `  ${test.module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}: ${reason}\n`,
        )
      }
    }
    const counts = `${tests('passed').length} passed, ${tests('failed').length} failed`
    process.stdout.write(`\n${counts}${skipped.length ? `, ${skipped.length} skipped` : ''}\n`)
  }
}
