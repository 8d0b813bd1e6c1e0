import type { SignatureSettings } from '../domain/tenant.js';

export interface SignInput {
  settings: SignatureSettings;
  /** Plaintext secrets, newest first: two during a rotation's grace period, none when unsigned. */
  secrets: string[];
  /** Keys `hub-sha256` when set, in place of the secret. */
  verifyToken: string | null;
  eventId: string;
  eventType: string;
  /** Unix seconds. */
  timestampSeconds: number;
  /** The exact bytes sent. */
  body: string;
}

/** One scheme: the headers that carry a delivery's signature(s) and their context. */
export type Signer = (input: SignInput) => Record<string, string>;
