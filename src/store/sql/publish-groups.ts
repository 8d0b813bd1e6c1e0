import { HeraldError } from '../../errors.js';
import type { PublishInput, PublishResult } from '../store.js';
import type { DueWork } from './publish.js';

/** PublishInput allows 1..1000 items; a group stays within that too. */
const MAX_ITEMS_PER_GROUP = 1000;

/**
 * Publishes the group `take` answers, and answers each member's result: `take` is called once
 * the write is about to start (inside its transaction on SQLite), so the group takes every
 * publish that arrived until then.
 */
type PublishOnce = (take: () => PublishInput[]) => Promise<{ results: PublishResult[]; due: DueWork | null }>;

interface Waiting {
  input: PublishInput;
  resolve: (result: PublishResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Publishes that arrive while a publish is being written wait for it, then go together, of
 * whatever tenants: one set of statements (PostgreSQL: one statement, one commit and one
 * schedule mark). Test sends group apart. A publish that finds none being written goes at once.
 * Grouped by tenant, as they were first, publishes spread over 1,000 tenants (the bench's growth
 * scenario) each went alone: on PostgreSQL at a quarter of one tenant's rate. Measured under
 * `npm run bench` (32 concurrent single-event publishers), per event:
 * - PostgreSQL: each publish was two round trips and a WAL flush of its own, and the server's
 *   CPU per event was as large as Herald's; grouped, ten publishes share them.
 * - SQLite: a one-row insert cost 45 µs where a ten-row one cost 17 µs a row; the group
 *   commit shared the COMMIT but not the statements.
 *
 * The group is taken when its write starts (`take`): on SQLite that is when the group commit
 * runs its transaction, at the end of the turn of the event loop, so the publishes whose
 * requests were read in the turn form one group.
 *
 * Each caller still gets what publishing alone, in arrival order, would have given: its own
 * outcomes (an idempotency key an earlier member took answers with that member's event), and
 * the quota count after its own events. A group refused for a quota (passed midway) is run
 * again apart (publishApart), so only the publishes past the limit fail.
 */
export function publishInGroups(
  publishOnce: PublishOnce,
  markAfterCommit: (due: DueWork | null) => Promise<void>,
): (input: PublishInput) => Promise<PublishResult> {
  const queues = new Map<string, Waiting[]>();

  async function drain(key: string, queue: Waiting[]): Promise<void> {
    while (queue.length > 0) {
      let group: Waiting[] = [];
      const take = () => (group = takeGroup(queue)).map((member) => member.input);
      let published: Awaited<ReturnType<PublishOnce>>;
      try {
        published = await publishOnce(take);
      } catch (error) {
        // A write that never started (the store closed) took no group: these callers hear of it.
        if (group.length === 0) group = takeGroup(queue);
        await failed(group, error);
        continue;
      }
      answerAfterMark(group, published.results, published.due);
    }
    queues.delete(key);
  }

  /**
   * A group one of whose tenants ran out of quota: each tenant's members again as a group of
   * their own, and a tenant's group refused again one publish at a time, in order, so only the
   * publishes past the limit fail, and a tenant publishing past its quota costs the others one
   * refused statement, not their grouping.
   */
  async function publishApart(group: Waiting[]): Promise<void> {
    const tenants = [...new Set(group.map((member) => member.input.tenantId))];
    const parts = tenants.length > 1 ? tenants.map((tenantId) => group.filter((member) => member.input.tenantId === tenantId)) : group.map((member) => [member]);
    for (const part of parts) {
      try {
        const { results, due } = await publishOnce(() => part.map((member) => member.input));
        answerAfterMark(part, results, due);
      } catch (error) {
        await failed(part, error);
      }
    }
  }

  /**
   * Only a quota refusal is retried, in smaller groups: after any other error (a lost
   * connection, say) the group may have committed, and each caller decides, as a lone
   * publish's caller would.
   */
  async function failed(group: Waiting[], error: unknown): Promise<void> {
    if (group.length > 1 && isQuotaRefusal(error)) await publishApart(group);
    else group.forEach((member) => member.reject(error));
  }

  // The callers hear back once their endpoints are marked due, as a lone publish did; the next
  // group does not wait for the mark (it may wait on an endpoint row a claim holds).
  const answerAfterMark = (members: Waiting[], results: PublishResult[], due: DueWork | null) =>
    void markAfterCommit(due)
      .catch(() => {})
      .then(() => members.forEach((member, i) => member.resolve(results[i]!)));

  return (input) =>
    new Promise<PublishResult>((resolve, reject) => {
      const key = groupKey(input);
      const queue = queues.get(key);
      if (queue) return void queue.push({ input, resolve, reject });
      const fresh: Waiting[] = [{ input, resolve, reject }];
      queues.set(key, fresh);
      void drain(key, fresh);
    });
}

const isQuotaRefusal = (error: unknown): boolean => error instanceof HeraldError && error.code === 'quota_exceeded';

/** Publishes that can share a write: test sends apart. */
const groupKey = ({ isTest }: PublishInput): string => (isTest ? 'test' : '');

/**
 * The queue's head, and as many after it as fit in one write: at most MAX_ITEMS_PER_GROUP items,
 * and one quota per tenant (the write counts a tenant's events once; its quota's period or limit
 * may change between two publishes, at a period's end or a settings change).
 */
function takeGroup(queue: Waiting[]): Waiting[] {
  let items = queue[0]!.input.items.length;
  const quotas = new Map([[queue[0]!.input.tenantId, quotaOf(queue[0]!.input)]]);
  let count = 1;
  for (; count < queue.length; count++) {
    const { input } = queue[count]!;
    const quota = quotas.get(input.tenantId);
    if (items + input.items.length > MAX_ITEMS_PER_GROUP || (quota !== undefined && quota !== quotaOf(input))) break;
    items += input.items.length;
    quotas.set(input.tenantId, quotaOf(input));
  }
  return queue.splice(0, count);
}

const quotaOf = ({ quota }: PublishInput): string => (quota ? `${quota.limit}@${quota.periodStart.getTime()}` : '');
