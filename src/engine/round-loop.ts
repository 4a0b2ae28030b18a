/**
 * A background loop of rounds: one round at a time, the next after `idleMs`, or at once when
 * poked (a poke during a round runs another round right after it). The events outbox and the
 * webhook dispatcher both run on it; a failed round is reported and the loop goes on.
 *
 * `minGapMs` spaces rounds that pokes ask for: a round starts at least that long after the one
 * before started, so under a stream of pokes a round takes what came in meanwhile in one go
 * (a round's queries cost the same for one item as for a hundred) instead of one round per poke.
 */
export class RoundLoop {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private round: Promise<void> | null = null;
  private pokeRequested = false;
  private lastStartedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly runRound: () => Promise<unknown>,
    private readonly idleMs: number,
    private readonly onError: (error: Error) => void,
    private readonly minGapMs = 0,
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
    this.schedule(this.gapLeft());
  }

  private gapLeft(): number {
    return Math.max(0, this.lastStartedAt + this.minGapMs - performance.now());
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastStartedAt = performance.now();
      this.round = this.runRound()
        .then(
          () => undefined,
          (error: unknown) => this.onError(error as Error),
        )
        .then(() => {
          this.round = null;
          const again = this.pokeRequested;
          this.pokeRequested = false;
          this.schedule(again ? this.gapLeft() : this.idleMs);
        });
    }, delay);
    this.timer.unref?.();
  }
}
