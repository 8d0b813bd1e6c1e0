import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ids } from '../../domain/ids.js';
import { defaultTenantSettings, mergeTenantSettings, type TenantSettings } from '../../domain/tenant.js';
import { missing } from '../../errors.js';
import { audit } from '../audit.js';
import { tenantOf } from '../plugins/auth.js';
import type { ApiContext } from '../context.js';
import { hashToken, newToken } from '../principal.js';
import { checkSignatureSettings } from '../validation.js';
import { presentTenant } from '../present.js';
import { ApiKey, CreatePortalToken, CreateTenant, OptionalBody, PageQuery, PatchTenant, PortalToken, Tenant, TenantParams, pageOf } from '../schemas.js';

const tags = ['Tenants'];
const PORTAL_TOKEN_TTL_SECONDS = 3600;

export const tenantRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { store } = ctx;

  app.post(
    '/tenants',
    { config: { access: 'operator' }, schema: { tags, summary: 'Create a tenant', body: CreateTenant, response: { 201: Tenant } } },
    async (request, reply) => {
      const settings = checkedSettings(mergeTenantSettings(defaultTenantSettings(), request.body.settings));
      const tenant = await store.tenants.create({
        id: request.body.id ?? ids.next('tnt'),
        name: request.body.name,
        settings,
        createdAt: new Date(),
      });
      return reply.status(201).send(presentTenant(tenant));
    },
  );

  app.get(
    '/tenants',
    { config: { access: 'operator' }, schema: { tags, summary: 'List tenants', querystring: PageQuery, response: { 200: pageOf(Tenant) } } },
    async (request) => {
      const page = await store.tenants.list({ limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { data: page.data.map(presentTenant), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/tenants/:tid',
    { schema: { tags, summary: 'Get a tenant and its settings', params: TenantParams, response: { 200: Tenant } } },
    async (request) => presentTenant(tenantOf(request)),
  );

  app.patch(
    '/tenants/:tid',
    { config: { access: 'operator' }, schema: { tags, summary: 'Change a tenant', params: TenantParams, body: PatchTenant, response: { 200: Tenant } } },
    async (request) => {
      const tenant = tenantOf(request);
      const settings = request.body.settings ? checkedSettings(mergeTenantSettings(tenant.settings, request.body.settings)) : undefined;
      const updated = await store.tenants.update(tenant.id, { name: request.body.name, settings });
      await audit(store, request, {
        tenantId: tenant.id,
        action: 'tenant.updated',
        targetType: 'tenant',
        targetId: tenant.id,
        details: { fields: Object.keys(request.body), settings: Object.keys(request.body.settings ?? {}) },
      });
      return presentTenant(updated ?? missing('Tenant'));
    },
  );

  app.delete(
    '/tenants/:tid',
    { config: { access: 'operator' }, schema: { tags, summary: 'Delete a tenant and everything it owns', params: TenantParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      if (!(await store.tenants.delete(request.params.tid))) missing('Tenant');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tenants/:tid/api-keys',
    { config: { access: 'operator' }, schema: { tags, summary: 'Create a tenant API key (shown once)', params: TenantParams, response: { 201: ApiKey } } },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const key = newToken('htk');
      const credential = { id: ids.next('key'), tenantId: tenant.id, kind: 'api_key' as const, expiresAt: null, createdAt: new Date() };
      await store.credentials.create({ ...credential, hash: hashToken(key).toString('hex') });
      await audit(store, request, { tenantId: tenant.id, action: 'api_key.created', targetType: 'api_key', targetId: credential.id });
      return reply.status(201).send({ id: credential.id, key, createdAt: credential.createdAt.toISOString() });
    },
  );

  app.post(
    '/tenants/:tid/portal-token',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Create a short-lived dashboard link for one tenant', params: TenantParams, body: OptionalBody(CreatePortalToken), response: { 201: PortalToken } },
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const token = newToken('hpt');
      const now = new Date();
      const expiresAt = new Date(now.getTime() + (request.body?.expiresInSeconds ?? PORTAL_TOKEN_TTL_SECONDS) * 1000);
      await store.credentials.create({ id: ids.next('ptk'), tenantId: tenant.id, kind: 'portal', expiresAt, createdAt: now, hash: hashToken(token).toString('hex') });
      // The token rides in the fragment: browsers never send it to a server or put it in a Referer.
      const url = `${ctx.publicUrl}/portal#token=${encodeURIComponent(token)}`;
      return reply.status(201).send({ token, url, expiresAt: expiresAt.toISOString() });
    },
  );
};

function checkedSettings(settings: TenantSettings): TenantSettings {
  checkSignatureSettings(settings.signature, '/settings/signature');
  return settings;
}

