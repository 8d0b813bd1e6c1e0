import { expect } from 'vitest';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from './herald.js';
import { Receiver } from './receiver.js';

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RawAnswer extends ApiAnswer {
  text: string;
}

export interface RawRequest {
  body?: string | Uint8Array;
  contentType?: string | null;
  token?: string | null;
}

/**
 * One Herald and one receiver for an API contract test file. Every answer goes through
 * `api` or `raw`, which remember any 5xx so a file can assert that none happened.
 */
export interface ApiFixture {
  herald: TestHerald;
  receiver: Receiver;
  api<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<ApiAnswer<T>>;
  /** A request with exactly the given body bytes and content type (default: none). */
  raw(method: string, path: string, request?: RawRequest): Promise<RawAnswer>;
  serverErrors: string[];
  close(): Promise<void>;
}

export async function startApiFixture(): Promise<ApiFixture> {
  const herald = await startTestHerald();
  const receiver = await Receiver.start();
  const serverErrors: string[] = [];
  const remember = (method: string, path: string, status: number, body: unknown) => {
    if (status >= 500) serverErrors.push(`${method} ${path} → ${status} ${JSON.stringify(body)}`);
  };
  return {
    herald,
    receiver,
    serverErrors,
    async api(method, path, body, token) {
      const answer = await herald.api(method, path, body, token);
      remember(method, path, answer.status, answer.body);
      return answer;
    },
    async raw(method, path, { body, contentType = null, token = ADMIN_TOKEN } = {}) {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (contentType) headers['content-type'] = contentType;
      const response = await fetch(`${herald.url}${path}`, { method, headers, body });
      const text = await response.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      remember(method, path, response.status, text.slice(0, 200));
      return { status: response.status, body: json, text, headers: response.headers };
    },
    async close() {
      await herald.stop();
      await receiver.close();
      removeDir(herald.dir);
    },
  };
}

/** Asserts Herald's error shape: `{"error":{"code","message","details":[…]}}` with this status and code. */
export function expectError(answer: ApiAnswer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.error?.code }, JSON.stringify(answer.body)).toEqual({ status, code });
  expect(typeof answer.body.error.message).toBe('string');
  expect(answer.body.error.message.length).toBeGreaterThan(0);
  expect(Array.isArray(answer.body.error.details)).toBe(true);
}

/** Follows `nextCursor` from the first page to the last and answers every item, in order. */
export async function readAllPages<T = any>(fixture: ApiFixture, path: string, limit: number, token?: string | null): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  const join = path.includes('?') ? '&' : '?';
  do {
    const query: string = `${join}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await fixture.api('GET', `${path}${query}`, undefined, token);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body.data.length).toBeLessThanOrEqual(limit);
    items.push(...page.body.data);
    cursor = page.body.nextCursor;
    pages++;
    if (pages > 1000) throw new Error('pagination does not end');
  } while (cursor !== null);
  return { items, pages };
}

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
