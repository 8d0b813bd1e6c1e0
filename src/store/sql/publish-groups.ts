import { HeraldError } from '../../errors.js';
import type { PublishInput, PublishResult } from '../store.js';
import { memberResults, type DueWork } from './publish.js';

/** PublishInput allows 1..1000 items; a group stays within that too. */
const MAX_ITEMS_PER_GROUP = 1000;

/**
 * Publishes the group `take` answers, and answers each member's result: `take` is called once
 * the write is about to start (inside its transaction on SQLite), so the group takes every
 * publish that arrived until then.
 */
type PublishOnce = (take: () => PublishInput[]) => Promise<{ results: PublishResult[]; due: DueWork | null }>;

/** Which publishes may share a write: those whose keys are equal. */
export type GroupKey = (input: PublishInput) => string;

interface Waiting {
  input: PublishInput;
  resolve: (result: PublishResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Publishes that arrive while one of their group's publishes is being written wait for it, then
 * go together: one set of statements (PostgreSQL: one statement, one commit and one schedule
 * mark). Which publishes form a group is the store's choice (`groupKey`): PostgreSQL's statement
 * takes any tenants' (sameKind), SQLite's statements one tenant's (sameTenant). A publish whose
 * group is idle goes at once. Measured under
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
 * the quota count after its own events. A group refused for its quota (passed midway) is run
 * again one publish at a time, in order, so only the publishes past the limit fail.
 */
export function publishInGroups(
  publishOnce: PublishOnce,
  markAfterCommit: (due: DueWork | null) => Promise<void>,
  groupKey: GroupKey,
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
        // Only a quota refusal is retried member by member: after any other error (a lost
        // connection, say) the group may have committed, and each caller decides, as a lone
        // publish's caller would.
        if (group.length > 1 && isQuotaRefusal(error)) await publishOneByOne(group);
        else group.forEach((member) => member.reject(error));
        continue;
      }
      answerAfterMark(group, published.results, published.due);
    }
    queues.delete(key);
  }

  async function publishOneByOne(group: Waiting[]): Promise<void> {
    for (const member of group) {
      try {
        const { results, due } = await publishOnce(() => [member.input]);
        answerAfterMark([member], results, due);
      } catch (error) {
        member.reject(error);
      }
    }
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

/** Publishes that can share one statement: test sends apart (PostgreSQL). */
export const sameKind: GroupKey = ({ isTest }) => (isTest ? 'test' : '');

/** Publishes that can share a set of statements: one tenant, the same attempts and quota, test sends apart (SQLite). */
export const sameTenant: GroupKey = ({ tenantId, maxAttempts, quota, isTest }) =>
  [tenantId, maxAttempts, quota?.limit ?? '', quota?.periodStart.getTime() ?? '', isTest ? 'test' : ''].join('\u0000');

/** The queue's head, and as many after it as fit in one publish. */
function takeGroup(queue: Waiting[]): Waiting[] {
  let items = queue[0]!.input.items.length;
  let count = 1;
  while (count < queue.length && items + queue[count]!.input.items.length <= MAX_ITEMS_PER_GROUP) items += queue[count++]!.input.items.length;
  return queue.splice(0, count);
}

/**
 * A sameTenant group written as one publish of all its members' items, `publish` answering the
 * merged result; answers each member's share of it.
 */
export async function publishMerged<T extends { result: PublishResult }>(members: PublishInput[], publish: (merged: PublishInput) => Promise<T>): Promise<T & { results: PublishResult[] }> {
  const merged = members.length === 1 ? members[0]! : { ...members[0]!, items: members.flatMap((input) => input.items) };
  const published = await publish(merged);
  let offset = 0;
  const outcomes = members.map(({ items }) => published.result.outcomes.slice(offset, (offset += items.length)));
  return { ...published, results: memberResults(members, outcomes, () => published.result.quotaUsed) };
}
