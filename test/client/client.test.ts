import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeraldClient } from '../../src/client/index.js';
import { schemaSource } from '../../src/client/codegen.js';
import { ADMIN_TOKEN, removeDir, startTestHerald, type TestHerald } from '../support/herald.js';

let herald: TestHerald;

beforeAll(async () => {
  herald = await startTestHerald();
});
afterAll(async () => {
  await herald.stop();
  removeDir(herald.dir);
});

describe('typed client', () => {
  it('src/client/schema.d.ts matches the running server (run `npm run generate:client` after a route change)', async () => {
    const document = (await herald.api('GET', '/openapi.json')).body;
    const committed = readFileSync(new URL('../../src/client/schema.d.ts', import.meta.url), 'utf8');
    expect(await schemaSource(document), 'src/client/schema.d.ts is out of date: run `npm run generate:client`').toBe(committed);
  });

  it('createHeraldClient calls the API with typed paths and answers', async () => {
    const client = createHeraldClient(`${herald.url}/`, ADMIN_TOKEN);
    const created = await client.POST('/api/v1/event-types', { body: { name: 'client.ping', description: 'ping', example: { n: 1 } } });
    expect(created.response.status).toBe(201);
    expect((await client.POST('/api/v1/tenants', { body: { id: 'typed', name: 'Typed' } })).response.status).toBe(201);
    const published = await client.POST('/api/v1/tenants/{tid}/events', { params: { path: { tid: 'typed' } }, body: { type: 'client.ping', data: { n: 2 } } });
    expect(published.response.status).toBe(202);
    expect(published.data).toMatchObject({ type: 'client.ping', data: { n: 2 } });
    const polled = await client.GET('/api/v1/tenants/{tid}/events', { params: { path: { tid: 'typed' }, query: { limit: 10 } } });
    expect(polled.data?.data).toHaveLength(1);
    const missing = await client.GET('/api/v1/tenants/{tid}', { params: { path: { tid: 'nope' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ error: { code: 'not_found' } });
    const denied = await createHeraldClient(herald.url, 'wrong').GET('/api/v1/tenants');
    expect(denied.response.status).toBe(401);
  });
});
