import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ids } from '../../domain/ids.js';
import { defaultTenantSettings, mergeTenantSettings, type TenantSettings } from '../../domain/tenant.js';
import { missing } from '../../errors.js';
import { audit, operatorAudit } from '../audit.js';
import { tenantOf } from '../plugins/auth.js';
import type { ApiContext } from '../context.js';
import { checkSignatureSettings } from '../validation.js';
import { presentTenant } from '../present.js';
import { CreateTenant, PageQuery, PatchTenant, Tenant, TenantParams, pageOf } from '../schemas.js';

const tags = ['Tenants'];

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
      await operatorAudit(store, request, { action: 'tenant.created', targetType: 'tenant', targetId: tenant.id, details: { name: tenant.name } });
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
      const details = { fields: Object.keys(request.body), settings: Object.keys(request.body.settings ?? {}) };
      await operatorAudit(store, request, { action: 'tenant.updated', targetType: 'tenant', targetId: tenant.id, details });
      // The tenant's own trail records what changes how its deliveries behave.
      if (settings) await audit(store, request, { tenantId: tenant.id, action: 'tenant.settings_changed', targetType: 'tenant', targetId: tenant.id, details: { settings: details.settings } });
      return presentTenant(updated ?? missing('Tenant'));
    },
  );

  app.delete(
    '/tenants/:tid',
    { config: { access: 'operator' }, schema: { tags, summary: 'Delete a tenant and everything it owns', params: TenantParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      if (!(await store.tenants.delete(request.params.tid))) missing('Tenant');
      await operatorAudit(store, request, { action: 'tenant.deleted', targetType: 'tenant', targetId: request.params.tid });
      return reply.status(204).send(null);
    },
  );
};

function checkedSettings(settings: TenantSettings): TenantSettings {
  checkSignatureSettings(settings.signature, '/settings/signature');
  return settings;
}

