import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { TOGETHER, TOGETHER_THEN_COMMIT } from '../sql/fixed-statement.js';

/**
 * Runs Herald's fixed hot-path SQL (fixed-statement.ts) as named prepared statements: each
 * connection parses and plans such a statement once instead of at every call. pg keeps the
 * prepared names per connection; PostgreSQL re-plans them itself after a schema change. Any
 * other query passes through unchanged. Kysely only calls `query` and `release` on a client.
 *
 * It also saves every transaction a round trip. The pool's clients run in pg's pipeline mode
 * (a query is written without waiting for the answers before it), and a BEGIN is answered at
 * once, sent but not waited for: the transaction's first statement follows it on the wire and
 * the two come back together. A failed BEGIN fails that statement. On this project's machines a
 * round trip to PostgreSQL is what a claim, a record and a publish mostly wait on (bench
 * profiles: socket writes were half of the worker's time). runTogether (fixed-statement.ts) sends
 * several statements the same way, and answers when the last has come back; with
 * runTogetherThenCommit the transaction's COMMIT follows them on the wire, and the transaction's
 * own COMMIT (or ROLLBACK) is then answered from it.
 *
 * Statements sent together leave in one socket write: pg writes each query as it is submitted
 * (a `writev` each), and on a busy machine each such write to loopback wakes the server and
 * can lose the sender its core (bench profiles: `writev` was a third of the worker's and of
 * `serve`'s busy time). A BEGIN waits in the corked socket for the statement behind it, at most
 * until the event loop's next turn.
 */
const BEGIN_ANSWER = { command: 'BEGIN', rowCount: null, rows: [], fields: [] };
const ROLLBACK_ANSWER = { command: 'ROLLBACK', rowCount: null, rows: [], fields: [] };

export function withPreparedStatements(pool: pg.Pool, isFixed: (text: string) => boolean): pg.Pool {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) names.set(text, (name = `herald_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`));
    return name;
  };
  const wrappers = new WeakMap<pg.PoolClient, pg.PoolClient>();
  const wrap = (client: pg.PoolClient): pg.PoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      let begun: Promise<unknown> | null = null;
      // A COMMIT sent ahead with a transaction's last statements (runTogetherThenCommit): the
      // transaction's own COMMIT (or ROLLBACK, after an error) is answered from it.
      let committed: Promise<unknown> | null = null;
      const socket = (client as unknown as { connection?: { stream?: Writable } }).connection?.stream;
      // Writes wait in the socket until release(); corks nest (pg corks each query of its own).
      let corked = false;
      const hold = () => {
        if (corked || !socket) return;
        corked = true;
        socket.cork();
        setImmediate(release);
      };
      const release = () => {
        if (!corked) return;
        corked = false;
        socket!.uncork();
      };
      const send = (text: unknown, values?: unknown[]) =>
        typeof text === 'string' && isFixed(text) ? client.query({ name: nameOf(text), text, values: values ?? [] }) : client.query(text as string, values);
      // runTogether's statements, written one behind the other; the answer's rows are their
      // outcomes, in order: each statement's rows, or its error.
      const sendTogether = async (calls: Array<[string, unknown[]]>, pending: Promise<unknown> | null, thenCommit: boolean) => {
        hold();
        const sent = calls.map(([text, values]) => send(text, values));
        if (thenCommit) {
          committed = send('commit');
          committed.catch(() => {}); // surfaced by the transaction's own commit
        }
        release();
        const answers = await Promise.allSettled(sent);
        await pending;
        const rows = answers.map((answer) => (answer.status === 'fulfilled' ? { rows: answer.value.rows } : { error: answer.reason as unknown }));
        return { command: 'SELECT', rowCount: calls.length, rows, fields: [] };
      };
      const query = async (text: unknown, values?: unknown[]) => {
        if (committed) return endCommittedAhead(text);
        if (typeof text === 'string' && text.toLowerCase() === 'begin') {
          hold();
          begun = send(text);
          begun.catch(() => {}); // surfaced by the statement that follows
          return BEGIN_ANSWER;
        }
        const pending = begun;
        begun = null;
        if (text === TOGETHER || text === TOGETHER_THEN_COMMIT) return sendTogether(values![0] as Array<[string, unknown[]]>, pending, text === TOGETHER_THEN_COMMIT);
        const answer = send(text, values);
        release();
        return pending ? (await Promise.all([pending, answer]))[1] : answer;
      };
      const endCommittedAhead = async (text: unknown) => {
        const ahead = committed!;
        committed = null;
        const end = typeof text === 'string' ? text.toLowerCase() : '';
        if (end === 'commit') return ahead;
        // A rollback after the statements failed (their transaction is rolled back already) or
        // after code that failed once they had committed (runTogetherThenCommit warns of it).
        if (end === 'rollback') return ahead.then(() => ROLLBACK_ANSWER, () => ROLLBACK_ANSWER);
        await ahead.catch(() => {});
        throw new Error('a statement after its transaction was committed (runTogetherThenCommit must send the last statements)');
      };
      wrapper = { query, release: (error?: Error | boolean) => client.release(error) } as unknown as pg.PoolClient;
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return { connect: async () => wrap(await pool.connect()), end: () => pool.end() } as unknown as pg.Pool;
}
