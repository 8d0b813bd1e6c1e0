import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

/**
 * Issue 12, item 7: failed authentication per address. After 50 failures within 60 s the
 * address's requests without a valid credential answer 429 for 60 s; valid ones never do.
 */

const LIMIT = 50;
let plain: TestHerald;
let proxied: TestHerald;

beforeAll(async () => {
  plain = await startTestHerald();
  // Behind a proxy on loopback: X-Forwarded-For names the client.
  proxied = await startTestHerald({ trustProxy: ['127.0.0.1/32'] });
  for (const herald of [plain, proxied]) expect((await herald.api('POST', '/api/v1/tenants', { id: 'acme', name: 'Acme' })).status).toBe(201);
});
afterAll(async () => {
  for (const herald of [plain, proxied]) {
    await herald?.stop();
    if (herald) removeDir(herald.dir);
  }
});

async function call(herald: TestHerald, token: string | null, forwardedFor?: string) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  const response = await fetch(`${herald.url}/api/v1/tenants/acme`, { headers });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code ?? null, retryAfter: response.headers.get('retry-after') };
}

describe('failed authentication from one address', () => {
  it('answers 401 up to the limit, then 429 rate_limited, while valid credentials still pass', async () => {
    const key = (await plain.api('POST', '/api/v1/tenants/acme/api-keys', {})).body.key as string;
    for (let i = 0; i < LIMIT; i++) {
      const answer = await call(plain, i % 2 ? `htk_guess${i}` : null);
      expect(answer, `failure ${i + 1}`).toMatchObject({ status: 401, code: 'unauthorized' });
    }
    const blocked = await call(plain, 'htk_one-more-guess');
    expect(blocked).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(blocked.retryAfter)).toBeGreaterThan(50);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(60);
    expect(await call(plain, null)).toMatchObject({ status: 429, code: 'rate_limited' });
    // A valid credential is never refused by this.
    expect((await call(plain, key)).status).toBe(200);
    expect((await call(plain, ADMIN_TOKEN)).status).toBe(200);
    // X-Forwarded-For is not believed from an untrusted peer: it does not escape the block.
    expect(await call(plain, 'htk_guess', '203.0.113.9')).toMatchObject({ status: 429 });
  });

  it('counts per client address named by a trusted proxy (HERALD_TRUST_PROXY)', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await call(proxied, 'htk_guess', '198.51.100.1')).status).toBe(401);
    expect(await call(proxied, 'htk_guess', '198.51.100.1')).toMatchObject({ status: 429, code: 'rate_limited' });
    // Another client behind the same proxy is not blocked.
    expect(await call(proxied, 'htk_guess', '198.51.100.2')).toMatchObject({ status: 401, code: 'unauthorized' });
    expect((await call(proxied, ADMIN_TOKEN, '198.51.100.1')).status).toBe(200);
  });
});
