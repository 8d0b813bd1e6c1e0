export type SignatureScheme = 'standard-webhooks' | 'timestamped-hex' | 'hub-sha256' | 'body-hex' | 'ed25519';
export type EnvelopeStyle = 'snake' | 'camel';

export interface SignatureSettings {
  scheme: SignatureScheme;
  /** Header that carries a `body-hex` signature. */
  header?: string;
  /** Header family of `timestamped-hex`: `Mobieus` gives `Mobieus-Signature`, `Mobieus-Event-Id`… */
  prefix?: string;
}

export interface EventQuota {
  limit: number;
  period: 'day' | 'month';
}

/** How the tenant's portal presents itself when a product embeds it; unset fields take the operator's. */
export interface PortalBranding {
  brandName?: string;
  /** `#rgb` or `#rrggbb`: the background of primary buttons. */
  brandColor?: string;
}

export interface TenantSettings {
  retrySchedule: number[];
  attemptTimeoutMs: number;
  autoDisableAfterFailures: number;
  signature: SignatureSettings;
  envelope: EnvelopeStyle;
  userAgent: string;
  eventQuota: EventQuota | null;
  retentionDays: number;
  portal?: PortalBranding;
}

export interface Tenant {
  id: string;
  name: string;
  settings: TenantSettings;
  createdAt: Date;
}

export const HERALD_VERSION = '0.1.0';

export function defaultTenantSettings(): TenantSettings {
  return {
    retrySchedule: [0, 60, 300, 1800, 7200, 21600, 86400],
    attemptTimeoutMs: 10_000,
    autoDisableAfterFailures: 20,
    signature: { scheme: 'standard-webhooks' },
    envelope: 'snake',
    userAgent: `Herald/${HERALD_VERSION}`,
    eventQuota: null,
    retentionDays: 30,
  };
}

/** Settings are stored whole, so a partial update is merged onto what the tenant has. */
export function mergeTenantSettings(
  base: TenantSettings,
  patch: Partial<TenantSettings> | undefined,
): TenantSettings {
  return { ...base, ...stripUndefined(patch ?? {}) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
