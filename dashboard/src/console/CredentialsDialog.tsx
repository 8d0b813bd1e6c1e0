import { useId, useState } from 'react';
import { tenantPath, type Api } from '../api/client.js';
import type { ApiKeyItem, CreatedApiKey, PortalTokenItem } from '../api/types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyField } from '../components/CopyField.js';
import { DataTable } from '../components/DataTable.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorLine } from '../components/Feedback.js';
import { useAction } from '../components/use-action.js';
import { usePaged } from '../components/use-paged.js';
import { useI18n } from '../i18n/index.js';

type Revoking = { kind: 'api-keys' | 'portal-tokens'; id: string; label: string };

/**
 * One tenant's live credentials: API keys and portal links, each revocable (401 at once on
 * every process). A new key is shown here once; afterwards only its prefix is.
 */
export function CredentialsDialog({ api, tenantId, onClose }: { api: Api; tenantId: string; onClose: () => void }) {
  const { t, date } = useI18n();
  const base = tenantPath(tenantId);
  const keys = usePaged<ApiKeyItem>(api, `${base}/api-keys`);
  const tokens = usePaged<PortalTokenItem>(api, `${base}/portal-tokens`);
  const [revoking, setRevoking] = useState<Revoking | null>(null);
  const when = (value: string | null) => (value ? date(value) : t('common.none'));
  const revokeButton = (target: Revoking) => (
    <button type="button" className="danger-outline small-button" onClick={() => setRevoking(target)}>
      {t('credentials.revoke')}
    </button>
  );
  return (
    <Dialog wide title={t('credentials.title', { id: tenantId })} onClose={onClose}>
      <h3>{t('credentials.apiKeys')}</h3>
      <NewKeyForm api={api} base={base} onCreated={keys.reload} />
      <DataTable
        label={t('credentials.apiKeys')}
        state={keys}
        empty={t('credentials.noKeys')}
        rowKey={(key) => key.id}
        columns={[
          { header: t('credentials.name'), cell: (key) => <bdi>{key.name ?? '–'}</bdi> },
          { header: t('credentials.prefix'), cell: (key) => <code dir="ltr">{key.prefix}…</code> },
          { header: t('deliveries.created'), cell: (key) => date(key.createdAt) },
          { header: t('credentials.expires'), cell: (key) => when(key.expiresAt) },
          { header: t('credentials.lastUsed'), cell: (key) => when(key.lastUsedAt) },
          { header: t('tenants.actions'), cell: (key) => revokeButton({ kind: 'api-keys', id: key.id, label: key.name ?? key.prefix }) },
        ]}
      />
      <h3>{t('credentials.portalTokens')}</h3>
      <DataTable
        label={t('credentials.portalTokens')}
        state={tokens}
        empty={t('credentials.noTokens')}
        rowKey={(token) => token.id}
        columns={[
          { header: t('credentials.prefix'), cell: (token) => <code dir="ltr">{token.prefix}…</code> },
          { header: t('deliveries.created'), cell: (token) => date(token.createdAt) },
          { header: t('credentials.expires'), cell: (token) => when(token.expiresAt) },
          { header: t('tenants.actions'), cell: (token) => revokeButton({ kind: 'portal-tokens', id: token.id, label: token.prefix }) },
        ]}
      />
      {revoking && (
        <ConfirmDialog
          danger
          title={t('credentials.revokeTitle')}
          confirm={t('credentials.revoke')}
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api('DELETE', `${base}/${revoking.kind}/${encodeURIComponent(revoking.id)}`);
            setRevoking(null);
            (revoking.kind === 'api-keys' ? keys : tokens).reload();
          }}
        >
          <p>{t('credentials.revokeText', { label: revoking.label })}</p>
        </ConfirmDialog>
      )}
    </Dialog>
  );
}

function NewKeyForm({ api, base, onCreated }: { api: Api; base: string; onCreated: () => void }) {
  const { t } = useI18n();
  const nameId = useId();
  const expiresId = useId();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const create = useAction(async () => {
    const body = { ...(name.trim() ? { name: name.trim() } : {}), ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}) };
    setCreated(await api<CreatedApiKey>('POST', `${base}/api-keys`, body));
    setName('');
    setExpires('');
    onCreated();
  });
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void create.run();
      }}
    >
      <div className="field">
        <label htmlFor={nameId}>{t('credentials.name')}</label>
        <input id={nameId} dir="auto" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={expiresId}>{t('credentials.expiresOptional')}</label>
        <input id={expiresId} type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
      </div>
      <button type="submit" className="primary" disabled={create.busy}>
        {t('credentials.create')}
      </button>
      <ErrorLine error={create.error} />
      {created && (
        <div role="status">
          <p className="warn-text">{t('credentials.shownOnce')}</p>
          <CopyField label={t('credentials.newKey')} value={created.key} />
        </div>
      )}
    </form>
  );
}
