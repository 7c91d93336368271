import { pgErrorOf } from './pg-errors.js';

export interface StatementBatcherOptions {
  /** Most inputs in one statement. */
  maxBatch: number;
  /** Batches at the database at once (1: in the order they were formed, one after the other). */
  concurrency: number;
  /**
   * Wait for the end of the event loop's current I/O phase (`setImmediate`) before a batch goes, so
   * that every request read in that phase joins it. For an embedded database (PGlite): its engine
   * runs on this thread, so a statement that went at once ran before the next request was even
   * read, and every batch had one input (measured: 1,000 publishes a second, 2,000 devices, all
   * batches of one; BENCHMARKS.md "Spread on PGlite"). A server's round trip needs no such wait.
   */
  gatherIo?: boolean;
  /**
   * Called once a batch's statement has answered (or failed): its inputs, and its time at the
   * database in seconds, from sent to answered (its commit included). The inputs' wait in the queue
   * before that is the previous batches' time, so this is where a slow commit shows.
   */
  observe?(inputs: number, seconds: number): void;
}

interface Waiting<I, O> {
  input: I;
  resolve(output: O): void;
  reject(err: unknown): void;
}

/**
 * Group commit for independent one-statement operations made outside any transaction (a publish's
 * event append, its subscription match): while `concurrency` batches are at the database, inputs
 * that arrive wait and go together in the next one, as one statement. At low rates a call goes
 * alone at once (no added wait); under load one statement (one round trip, one parse and plan, one
 * WAL flush) serves many callers, which is what a publish costs most (BENCHMARKS.md, push).
 *
 * `run` gets the inputs in arrival order and answers one output per input, in the same order. One
 * statement is atomic, so a batch is all or nothing; when the database refuses it (an error with a
 * SQLSTATE: the statement did not happen) each input is run again alone, in arrival order, so one
 * caller's bad input fails only that caller. Any other failure (a lost connection: the statement may
 * have committed) fails every caller of the batch, as it would have failed each alone — never
 * retried, so nothing is written twice.
 */
export class StatementBatcher<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  private running = 0;
  /** A pump is due at the end of this I/O phase (gatherIo). */
  private gathering = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly options: StatementBatcherOptions,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (!this.options.gatherIo) {
      this.pump();
      return;
    }
    if (this.queue.length === 0 || this.gathering || this.running >= this.options.concurrency) return;
    this.gathering = true;
    setImmediate(() => {
      this.gathering = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }

  private async runBatch(batch: Waiting<I, O>[]): Promise<void> {
    let outputs: O[];
    try {
      outputs = await this.timed(batch.map((w) => w.input));
      if (outputs.length !== batch.length) throw new Error('batched statement answered a wrong count');
    } catch (err) {
      if (batch.length > 1 && pgErrorOf(err)) {
        // One after the other, in arrival order: run at once they would go on different
        // connections, and two inputs touching the same rows (an append's session) could take
        // them in either order.
        for (const w of batch) await this.runAlone(w);
        return;
      }
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      w.resolve(outputs[i] as O);
    });
  }

  private async runAlone(w: Waiting<I, O>): Promise<void> {
    try {
      const [output] = await this.timed([w.input]);
      w.resolve(output as O);
    } catch (err) {
      w.reject(err);
    }
  }

  private async timed(inputs: I[]): Promise<O[]> {
    const observe = this.options.observe;
    if (!observe) return this.run(inputs);
    const sentAt = performance.now();
    try {
      return await this.run(inputs);
    } finally {
      observe(inputs.length, (performance.now() - sentAt) / 1000);
    }
  }
}
