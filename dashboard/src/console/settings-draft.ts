import type { TenantSettings } from '../api/types.js';

/** The settings form's text fields; numbers stay text until sent, so the server's 422 names the field. */
export interface SettingsDraft {
  scheme: string;
  header: string;
  prefix: string;
  envelope: string;
  retrySchedule: string;
  attemptTimeoutMs: string;
  autoDisableAfterFailures: string;
  userAgent: string;
  quotaLimit: string;
  quotaPeriod: string;
  retentionDays: string;
  brandName: string;
  brandColor: string;
}

export const draftFrom = (settings?: TenantSettings): SettingsDraft => ({
  scheme: settings?.signature.scheme ?? 'standard-webhooks',
  header: settings?.signature.header ?? '',
  prefix: settings?.signature.prefix ?? '',
  envelope: settings?.envelope ?? 'snake',
  retrySchedule: settings?.retrySchedule.join(', ') ?? '',
  attemptTimeoutMs: settings ? String(settings.attemptTimeoutMs) : '',
  autoDisableAfterFailures: settings ? String(settings.autoDisableAfterFailures) : '',
  userAgent: settings?.userAgent ?? '',
  quotaLimit: settings?.eventQuota ? String(settings.eventQuota.limit) : '',
  quotaPeriod: settings?.eventQuota?.period ?? 'none',
  retentionDays: settings ? String(settings.retentionDays) : '',
  brandName: settings?.portal?.brandName ?? '',
  brandColor: settings?.portal?.brandColor ?? '',
});

/** A whole number as a number; anything else as typed, so the server's 422 names the field. */
const asInteger = (text: string): number | string => (/^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());

/** The settings the draft sets; empty fields are left to the server's defaults (or current values). */
export function settingsFrom(draft: SettingsDraft): Record<string, unknown> {
  const signature: Record<string, unknown> = { scheme: draft.scheme };
  if (draft.scheme === 'body-hex' && draft.header.trim()) signature.header = draft.header.trim();
  if (draft.scheme === 'timestamped-hex' && draft.prefix.trim()) signature.prefix = draft.prefix.trim();
  const settings: Record<string, unknown> = { signature, envelope: draft.envelope };
  if (draft.retrySchedule.trim()) settings.retrySchedule = draft.retrySchedule.split(',').map(asInteger);
  if (draft.attemptTimeoutMs.trim()) settings.attemptTimeoutMs = asInteger(draft.attemptTimeoutMs);
  if (draft.autoDisableAfterFailures.trim()) settings.autoDisableAfterFailures = asInteger(draft.autoDisableAfterFailures);
  if (draft.userAgent.trim()) settings.userAgent = draft.userAgent.trim();
  settings.eventQuota = draft.quotaPeriod === 'none' ? null : { limit: asInteger(draft.quotaLimit), period: draft.quotaPeriod };
  if (draft.retentionDays.trim()) settings.retentionDays = asInteger(draft.retentionDays);
  // Sent whole: emptying a field returns the portal to the operator's brand.
  const portal: Record<string, string> = {};
  if (draft.brandName.trim()) portal.brandName = draft.brandName.trim();
  if (draft.brandColor.trim()) portal.brandColor = draft.brandColor.trim();
  settings.portal = portal;
  return settings;
}
