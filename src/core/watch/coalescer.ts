/**
 * "Running / run again": one run at a time, and any number of requests that arrive during a run make
 * exactly one more run after it (graphile-migrate's watch does the same). A burst of hundreds of files in
 * the migrations folder is so handled in a few passes, never in parallel ones.
 */
export class Coalescer {
  private running: Promise<void> | undefined
  private again = false
  private closed = false

  /** `run` must not throw; `shouldContinue` is asked before a repeated run. */
  constructor(
    private readonly run: () => Promise<void>,
    private readonly shouldContinue: () => boolean = () => true,
  ) {}

  /** Starts a run, or marks one more as due; resolves when no run is due any more. */
  request(): Promise<void> {
    if (this.closed || !this.shouldContinue()) return Promise.resolve()
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.loop().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /** No new runs; resolves once the one in flight (if any) has ended. */
  async close(): Promise<void> {
    this.closed = true
    await this.running
  }

  private async loop(): Promise<void> {
    do {
      this.again = false
      await this.run()
    } while (this.again && !this.closed && this.shouldContinue())
  }
}
