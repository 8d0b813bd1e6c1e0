import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ids } from '../../domain/ids.js';
import { missing, validationFailed } from '../../errors.js';
import type { Credential } from '../../store/store.js';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { announceRevoked } from '../credential-streams.js';
import { tenantOf } from '../plugins/auth.js';
import { hashToken, newToken } from '../principal.js';
import {
  ApiKey,
  ApiKeyInfo,
  ApiKeyParams,
  CreateApiKey,
  CreatePortalToken,
  OptionalBody,
  PageQuery,
  PortalToken,
  PortalTokenInfo,
  PortalTokenParams,
  TenantParams,
  pageOf,
} from '../schemas.js';

const tags = ['Credentials'];
const PORTAL_TOKEN_TTL_SECONDS = 3600;
/** `htk_` + 8 characters: enough to tell keys apart, 48 of 256 random bits. */
const PREFIX_LENGTH = 12;
const CREDENTIAL_CURSOR = /^(key|ptk)_[0-9A-Z]{26}$/;

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const presentApiKey = (c: Credential) => ({ id: c.id, name: c.name, prefix: c.prefix ?? 'htk_', createdAt: c.createdAt.toISOString(), expiresAt: iso(c.expiresAt), lastUsedAt: iso(c.lastUsedAt) });
const presentPortalToken = (c: Credential) => ({ id: c.id, prefix: c.prefix ?? 'hpt_', createdAt: c.createdAt.toISOString(), expiresAt: iso(c.expiresAt), lastUsedAt: iso(c.lastUsedAt) });

/**
 * A tenant's API keys and portal tokens. Every route here is `access: 'tenant'`: the admin token
 * and the tenant's own API keys may mint, list and revoke them; a portal token may not (a link
 * handed to a customer's browser must not be able to make itself permanent or find its siblings).
 */
export const credentialRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;
  const config = { access: 'tenant' as const };
  const checkCursor = (cursor: string | undefined) => {
    if (cursor !== undefined && !CREDENTIAL_CURSOR.test(cursor)) throw validationFailed('cursor is not one this API gave out', [{ path: '/cursor' }]);
  };

  app.post(
    '/tenants/:tid/api-keys',
    { config, schema: { tags, summary: 'Create a tenant API key (the key is shown once)', params: TenantParams, body: OptionalBody(CreateApiKey), response: { 201: ApiKey } } },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const now = new Date();
      const expiresAt = request.body?.expiresAt ? new Date(request.body.expiresAt) : null;
      // A time the format check passed may still be no date at all (NaN), or out of range.
      if (expiresAt && !(expiresAt > now)) throw validationFailed('expiresAt must be a time in the future', [{ path: '/expiresAt' }]);
      const key = newToken('htk');
      const credential: Credential = { id: ids.next('key'), tenantId: tenant.id, kind: 'api_key', name: request.body?.name ?? null, prefix: key.slice(0, PREFIX_LENGTH), expiresAt, createdAt: now, lastUsedAt: null };
      await store.credentials.create({ ...credential, hash: hashToken(key).toString('hex') });
      await audit(store, request, { tenantId: tenant.id, action: 'api_key.created', targetType: 'api_key', targetId: credential.id, details: { name: credential.name, expiresAt: iso(expiresAt) } });
      return reply.status(201).send({ id: credential.id, name: credential.name, key, createdAt: now.toISOString(), expiresAt: iso(expiresAt) });
    },
  );

  app.get(
    '/tenants/:tid/api-keys',
    { config, schema: { tags, summary: "The tenant's live API keys (never the keys themselves)", params: TenantParams, querystring: PageQuery, response: { 200: pageOf(ApiKeyInfo) } } },
    async (request) => {
      checkCursor(request.query.cursor);
      const page = await store.credentials.list(tenantOf(request).id, 'api_key', new Date(), { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { data: page.data.map(presentApiKey), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/tenants/:tid/api-keys/:kid',
    { config, schema: { tags, summary: 'Revoke an API key: it answers 401 at once, and its event streams close', params: ApiKeyParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const { tid, kid } = request.params;
      if (!(await store.credentials.revoke(tid, 'api_key', kid, new Date()))) missing('API key');
      announceRevoked(kid);
      await audit(store, request, { tenantId: tid, action: 'api_key.revoked', targetType: 'api_key', targetId: kid });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tenants/:tid/portal-token',
    {
      config,
      schema: { tags, summary: 'Create a short-lived dashboard link for one tenant', params: TenantParams, body: OptionalBody(CreatePortalToken), response: { 201: PortalToken } },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const token = newToken('hpt');
      const now = new Date();
      const expiresAt = new Date(now.getTime() + (request.body?.expiresInSeconds ?? PORTAL_TOKEN_TTL_SECONDS) * 1000);
      const id = ids.next('ptk');
      await store.credentials.create({ id, tenantId: tenant.id, kind: 'portal', name: null, prefix: token.slice(0, PREFIX_LENGTH), expiresAt, createdAt: now, lastUsedAt: null, hash: hashToken(token).toString('hex') });
      await audit(store, request, { tenantId: tenant.id, action: 'portal_token.created', targetType: 'portal_token', targetId: id, details: { expiresAt: expiresAt.toISOString() } });
      // The token rides in the fragment: browsers never send it to a server or put it in a Referer.
      const url = `${ctx.publicUrl}/portal#token=${encodeURIComponent(token)}`;
      return reply.status(201).send({ id, token, url, expiresAt: expiresAt.toISOString() });
    },
  );

  app.get(
    '/tenants/:tid/portal-tokens',
    { config, schema: { tags, summary: "The tenant's live portal tokens (never the tokens themselves)", params: TenantParams, querystring: PageQuery, response: { 200: pageOf(PortalTokenInfo) } } },
    async (request) => {
      checkCursor(request.query.cursor);
      const page = await store.credentials.list(tenantOf(request).id, 'portal', new Date(), { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { data: page.data.map(presentPortalToken), nextCursor: page.nextCursor };
    },
  );

  app.delete(
    '/tenants/:tid/portal-tokens/:ptid',
    { config, schema: { tags, summary: 'Revoke a portal token: its link answers 401 at once, and its event streams close', params: PortalTokenParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const { tid, ptid } = request.params;
      if (!(await store.credentials.revoke(tid, 'portal', ptid, new Date()))) missing('Portal token');
      announceRevoked(ptid);
      await audit(store, request, { tenantId: tid, action: 'portal_token.revoked', targetType: 'portal_token', targetId: ptid });
      return reply.status(204).send(null);
    },
  );
};
