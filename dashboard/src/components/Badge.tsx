import type { ReactNode } from 'react';

export type Tone = 'ok' | 'bad' | 'warn' | 'idle';

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

export const endpointTone = (status: string): Tone => (status === 'active' ? 'ok' : status === 'disabled' || status === 'verification_failed' ? 'bad' : 'warn');
export const deliveryTone = (status: string): Tone =>
  status === 'succeeded' ? 'ok' : status === 'failed' || status === 'dead' ? 'bad' : status === 'canceled' ? 'idle' : 'warn';
