import { useState } from 'react';
import { tenantPath, type Api } from '../api/client.js';
import type { PortalLink, Tenant } from '../api/types.js';
import { Badge } from '../components/Badge.js';
import { CopyField } from '../components/CopyField.js';
import { SectionHead } from '../components/SectionHead.js';
import { DataTable } from '../components/DataTable.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorLine, Notice } from '../components/Feedback.js';
import { useAction } from '../components/use-action.js';
import { usePaged } from '../components/use-paged.js';
import { useI18n } from '../i18n/index.js';
import { CredentialsDialog } from './CredentialsDialog.js';
import { TenantForm } from './TenantForm.js';

export function TenantsView({ api, onOpen }: { api: Api; onOpen: (id: string) => void }) {
  const { t, date } = useI18n();
  const list = usePaged<Tenant>(api, '/tenants');
  const [form, setForm] = useState<{ tenant?: Tenant } | null>(null);
  const [link, setLink] = useState<(PortalLink & { tenantId: string }) | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [credentialsOf, setCredentialsOf] = useState<string | null>(null);
  const portalLink = useAction(async (tenant: Tenant) => {
    setLink({ tenantId: tenant.id, ...(await api<PortalLink>('POST', `${tenantPath(tenant.id)}/portal-token`, {})) });
  });
  return (
    <section aria-labelledby="tenants-title">
      <SectionHead id="tenants-title" title={t('tenants.title')}>
        <button type="button" className="primary" onClick={() => setForm({})}>
          {t('tenants.create')}
        </button>
      </SectionHead>
      <Notice text={notice} />
      <ErrorLine error={portalLink.error} />
      <DataTable
        label={t('tenants.title')}
        state={list}
        empty={t('tenants.empty')}
        rowKey={(tenant) => tenant.id}
        columns={[
          { header: t('tenants.name'), cell: (tenant) => <strong dir="auto">{tenant.name}</strong> },
          { header: t('tenants.id'), cell: (tenant) => <code dir="ltr">{tenant.id}</code> },
          { header: t('tenants.scheme'), cell: (tenant) => <Badge tone="idle">{tenant.settings.signature.scheme}</Badge> },
          { header: t('deliveries.created'), cell: (tenant) => date(tenant.createdAt) },
          {
            header: t('tenants.actions'),
            cell: (tenant) => (
              <span className="row-actions">
                <button type="button" onClick={() => void portalLink.run(tenant)}>
                  {t('tenants.portalLink')}
                </button>
                <button type="button" onClick={() => onOpen(tenant.id)}>
                  {t('tenants.openPortal')}
                </button>
                <button type="button" onClick={() => setCredentialsOf(tenant.id)}>
                  {t('credentials.open')}
                </button>
                <button type="button" onClick={() => setForm({ tenant })}>
                  {t('settings.edit')}
                </button>
              </span>
            ),
          },
        ]}
      />
      {form && (
        <TenantForm
          api={api}
          tenant={form.tenant}
          onClose={() => setForm(null)}
          onSaved={(id) => {
            setNotice(t(form.tenant ? 'settings.savedNotice' : 'tenants.createdNotice', { id }));
            setForm(null);
            list.reload();
          }}
        />
      )}
      {credentialsOf && <CredentialsDialog api={api} tenantId={credentialsOf} onClose={() => setCredentialsOf(null)} />}
      {link && (
        <Dialog title={t('tenants.portalTitle', { id: link.tenantId })} onClose={() => setLink(null)}>
          <p className="muted">{t('tenants.portalHint')}</p>
          <CopyField label={t('tenants.portalLink')} value={link.url} />
          <p className="small">{t('tenants.portalExpires', { date: date(link.expiresAt) })}</p>
        </Dialog>
      )}
    </section>
  );
}
