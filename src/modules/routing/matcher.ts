import type { Deps } from '../../deps.js';
import { RoutingEvents } from './events.js';
import type { MatchPass } from './match-pass.js';

/**
 * Runs this instance's matching passes one at a time. A trigger is answered by the next pass to
 * start (a pass already running may have read the queue before the trigger's change), so a
 * caller waits for at most the running pass and one more, however busy the instance is. Other
 * instances run their own passes; row locks keep them apart, and the periodic tick catches
 * anything a race between instances left behind.
 */
export class Matcher {
  private started = 0;
  private finished = 0;
  private wanted = 0;
  private running = false;
  private readonly waiters: { pass: number; resolve: () => void }[] = [];

  constructor(
    private readonly deps: Deps,
    private readonly pass: MatchPass,
    private readonly maxAgentsPerPass: number,
  ) {}

  run(): Promise<void> {
    const pass = this.started + 1;
    this.wanted = Math.max(this.wanted, pass);
    const done = new Promise<void>((resolve) => this.waiters.push({ pass, resolve }));
    if (!this.running) void this.loop();
    return done;
  }

  private async loop(): Promise<void> {
    this.running = true;
    let contendedRuns = 0;
    try {
      while (this.started < this.wanted) {
        this.started++;
        const events = new RoutingEvents();
        try {
          const { reserved, lockedAgents, contended } = await this.pass.run(events);
          // A full batch of agents may have left more ready agents behind: go again.
          if (reserved > 0 && lockedAgents >= this.maxAgentsPerPass) this.wanted = this.started + 1;
          // Another instance's pass held requests our agents could take: once it commits they
          // are taken or free again, so retry shortly (a few times; the tick covers the rest).
          if (contended && contendedRuns < 5) {
            contendedRuns++;
            this.wanted = this.started + 1;
            await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
          }
        } catch (err) {
          this.deps.logger.error('routing matching pass failed', { err });
        }
        await events.publish(this.deps.bus);
        this.finished = this.started;
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const waiter = this.waiters[i] as { pass: number; resolve: () => void };
          if (waiter.pass <= this.finished) {
            this.waiters.splice(i, 1);
            waiter.resolve();
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}
