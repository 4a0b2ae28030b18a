/**
 * A background loop of rounds: one round at a time, the next after `idleMs`, or at once when
 * poked (a poke during a round runs another round right after it). The events outbox and the
 * webhook dispatcher both run on it; a failed round is reported and the loop goes on.
 */
export class RoundLoop {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private round: Promise<void> | null = null;
  private pokeRequested = false;

  constructor(
    private readonly runRound: () => Promise<unknown>,
    private readonly idleMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops scheduling and waits for a round in progress to end. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round;
  }

  poke(): void {
    if (!this.running) return;
    if (this.round) {
      this.pokeRequested = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.round = this.runRound()
        .then(
          () => undefined,
          (error: unknown) => this.onError(error as Error),
        )
        .then(() => {
          this.round = null;
          const again = this.pokeRequested;
          this.pokeRequested = false;
          this.schedule(again ? 0 : this.idleMs);
        });
    }, delay);
    this.timer.unref?.();
  }
}
