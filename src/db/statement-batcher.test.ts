import { describe, expect, it } from 'vitest';
import { StatementBatcher } from './statement-batcher.js';

/**
 * Inputs submitted from two callbacks of one event-loop phase (two timers due together stand for
 * two requests read in one I/O phase), with a `run` that answers at once, as an embedded engine
 * on this thread does.
 */
async function batchesOf(gatherIo: boolean): Promise<string[][]> {
  const batches: string[][] = [];
  const batcher = new StatementBatcher<string, string>(
    async (inputs) => {
      batches.push(inputs);
      return inputs.map((i) => i.toUpperCase());
    },
    { maxBatch: 10, concurrency: 1, gatherIo },
  );
  const answers = await new Promise<string[]>((resolve) => {
    const pending: Promise<string>[] = [];
    setTimeout(() => pending.push(batcher.submit('a')), 0);
    setTimeout(() => {
      pending.push(batcher.submit('b'));
      resolve(Promise.all(pending));
    }, 0);
  });
  expect(answers).toEqual(['A', 'B']);
  return batches;
}

describe('StatementBatcher', () => {
  it('without gatherIo, an input goes at once: a second callback of the phase finds the batch done', async () => {
    expect(await batchesOf(false)).toEqual([['a'], ['b']]);
  });

  it('with gatherIo, the inputs of one event-loop phase go together', async () => {
    expect(await batchesOf(true)).toEqual([['a', 'b']]);
  });

  it('a refused batch is run again input by input, one after the other, in arrival order', async () => {
    const runs: number[][] = [];
    let running = 0;
    let most = 0;
    const batcher = new StatementBatcher<number, number>(
      async (inputs) => {
        runs.push(inputs);
        running++;
        most = Math.max(most, running);
        // Later inputs answer sooner: run at once, they would finish out of order.
        await new Promise((r) => setTimeout(r, inputs.length > 1 ? 1 : 20 - (inputs[0] as number) * 5));
        running--;
        if (inputs.includes(2)) throw Object.assign(new Error('refused'), { code: '22P05' });
        return inputs.map((i) => i * 10);
      },
      { maxBatch: 10, concurrency: 1, gatherIo: true },
    );
    const results = await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'refused'))).toEqual([10, 'refused', 30]);
    expect(runs).toEqual([[1, 2, 3], [1], [2], [3]]);
    expect(most).toBe(1);
  });

  it('with gatherIo, inputs that arrive while a batch runs go in the next one', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const batcher = new StatementBatcher<number, number>(
      async (inputs) => {
        batches.push(inputs);
        if (inputs[0] === 0) await new Promise<void>((r) => (release = r));
        return inputs;
      },
      { maxBatch: 10, concurrency: 1, gatherIo: true },
    );
    const first = batcher.submit(0);
    await new Promise((r) => setImmediate(r));
    const later = [1, 2, 3].map((i) => batcher.submit(i));
    await new Promise((r) => setImmediate(r));
    release();
    expect(await Promise.all([first, ...later])).toEqual([0, 1, 2, 3]);
    expect(batches).toEqual([[0], [1, 2, 3]]);
  });

  it('observes every statement it sends: a batch, and each input of a refused batch run alone', async () => {
    const observed: { inputs: number; seconds: number }[] = [];
    const batcher = new StatementBatcher<number, number>(
      async (inputs) => {
        await new Promise((r) => setTimeout(r, inputs.length > 1 ? 30 : 1));
        if (inputs.includes(2)) throw Object.assign(new Error('refused'), { code: '22P05' });
        return inputs;
      },
      {
        maxBatch: 10,
        concurrency: 1,
        gatherIo: true,
        observe: (inputs, seconds) => observed.push({ inputs, seconds }),
      },
    );
    await Promise.allSettled([1, 2, 3].map((i) => batcher.submit(i)));
    expect(observed.map((o) => o.inputs)).toEqual([3, 1, 1, 1]);
    // Its time at the database, in seconds: the refused batch waited 30 ms before it failed.
    expect(observed[0]?.seconds).toBeGreaterThanOrEqual(0.025);
    expect(observed[0]?.seconds).toBeLessThan(5);
  });
});
