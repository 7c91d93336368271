import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { ACTIVE_STATES, checkQueueName } from './queue.store.js';
import { requestsTable, type VirtualQueueRow, virtualQueuesTable } from './routing.tables.js';
import type { TargetCache } from './target.js';

export interface VirtualQueueView {
  name: string;
  description: string;
  target: string | null;
  /** Null: the engine default applies. */
  reservationTimeoutSeconds: number | null;
  defaultHandleSeconds: number | null;
  averageHandleSeconds: number | null;
  handleSamples: number;
}

/** Null resets a setting to the engine default; an omitted field keeps its value. */
export interface VirtualQueueInput {
  name: string;
  description?: string | null;
  target?: string | null;
  reservationTimeoutSeconds?: number | null;
  defaultHandleSeconds?: number | null;
}

const view = (r: VirtualQueueRow): VirtualQueueView => ({
  name: r.name,
  description: r.description,
  target: r.target,
  reservationTimeoutSeconds: r.reservationTimeoutSeconds,
  defaultHandleSeconds: r.defaultHandleSeconds,
  averageHandleSeconds: r.averageHandleSeconds,
  handleSamples: r.handleSamples,
});

function checkSeconds(
  value: number | null | undefined,
  field: string,
  max: number,
): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new ValidationError(
      'routing/invalid_setting',
      `${field} must be an integer from 1 to ${max}`,
      field,
    );
  return value;
}

export class VirtualQueues {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly targets: TargetCache,
  ) {}

  async list(): Promise<VirtualQueueView[]> {
    return (await this.db.select().from(virtualQueuesTable).orderBy(asc(virtualQueuesTable.name))).map(view);
  }

  async get(name: string): Promise<VirtualQueueView | null> {
    const [row] = await this.db.select().from(virtualQueuesTable).where(eq(virtualQueuesTable.name, name));
    return row ? view(row) : null;
  }

  /**
   * Finds a queue by the name a client used: GMS clients often name a virtual queue with its
   * switch (`VQ_Chat@SIP_Switch`); when no queue has that exact name, the part before '@' is tried.
   */
  async resolve(name: string): Promise<VirtualQueueView | null> {
    const exact = await this.get(name);
    if (exact || !name.includes('@')) return exact;
    return this.get(name.slice(0, name.indexOf('@')));
  }

  async require(name: string): Promise<VirtualQueueView> {
    const queue = await this.get(name);
    if (!queue) throw new NotFoundError('routing/queue_not_found', `Virtual queue '${name}' not found`);
    return queue;
  }

  async upsert(input: VirtualQueueInput): Promise<VirtualQueueView> {
    const name = checkQueueName(input.name, 'name');
    const target = input.target === undefined || input.target === null ? input.target : input.target.trim();
    const normalized = target ? this.targets.get(target).normalized : target === '' ? null : target;
    if (input.description && input.description.length > 1000)
      throw new ValidationError(
        'routing/invalid_description',
        'A description is at most 1000 characters',
        'description',
      );
    const timeout = checkSeconds(input.reservationTimeoutSeconds, 'reservationTimeoutSeconds', 3600);
    const handle = checkSeconds(input.defaultHandleSeconds, 'defaultHandleSeconds', 86_400);
    const now = this.clock.now();
    const set = {
      ...(input.description !== undefined ? { description: input.description ?? '' } : {}),
      ...(normalized !== undefined ? { target: normalized } : {}),
      ...(timeout !== undefined ? { reservationTimeoutSeconds: timeout } : {}),
      ...(handle !== undefined ? { defaultHandleSeconds: handle } : {}),
    };
    await this.db
      .insert(virtualQueuesTable)
      .values({ name, ...set, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: virtualQueuesTable.name, set: { ...set, updatedAt: now } });
    return this.require(name);
  }

  /** Deletes a queue and its history; refused while requests are active in it. */
  async delete(name: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ name: virtualQueuesTable.name })
        .from(virtualQueuesTable)
        .where(eq(virtualQueuesTable.name, name))
        .for('update');
      if (!row) return false;
      const [active] = await tx
        .select({ n: count() })
        .from(requestsTable)
        .where(and(eq(requestsTable.virtualQueue, name), inArray(requestsTable.state, ACTIVE_STATES)));
      if ((active?.n ?? 0) > 0)
        throw new ConflictError(
          'routing/queue_not_empty',
          `Virtual queue '${name}' has ${active?.n} active request(s)`,
        );
      await tx.delete(virtualQueuesTable).where(eq(virtualQueuesTable.name, name));
      return true;
    });
  }
}
