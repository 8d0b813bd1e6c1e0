import { HeraldError } from '../errors.js';
import { rulesFor, systemResolver, type EgressPolicy } from './egress-policy.js';
import { bareHost, isLocalhostName, vetHost } from './vet-host.js';

export const MAX_URL_LENGTH = 2048;

const unsafe = (message: string) => new HeraldError('unsafe_url', message);

/**
 * Registration-time SSRF check of an endpoint URL. It only resolves names, never connects;
 * the egress dispatcher repeats the address check on every connection (DNS may change).
 */
/** Where a refusal's details go: the operator's log, never the answer (pino's `warn` fits). */
export interface RefusalLog {
  warn(details: object, message: string): void;
}

export async function checkEndpointUrl(url: string, policy: EgressPolicy, log?: RefusalLog): Promise<URL> {
  if (typeof url !== 'string' || url.length === 0) throw unsafe('URL is required');
  if (url.length > MAX_URL_LENGTH) throw unsafe(`URL is longer than ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    // WHATWG parsing canonicalises 127.1, 2130706433, 0x7f000001 and 0177.0.0.1 to dotted
    // decimal, so the address rules only ever see one spelling of an IPv4 host.
    parsed = new URL(url);
  } catch {
    throw unsafe('URL is not a valid absolute URL');
  }
  if (parsed.protocol === 'http:') {
    if (!policy.allowHttp) throw unsafe('plain http:// URLs are not allowed; use https://');
  } else if (parsed.protocol !== 'https:') {
    throw unsafe(`URL scheme "${parsed.protocol}" is not allowed; use https://`);
  }
  const host = bareHost(parsed.hostname);
  if (parsed.username || parsed.password) {
    // https://good.com@127.0.0.1/ reads like good.com but goes to 127.0.0.1.
    throw unsafe(`URL must not contain credentials (user@host); its real host would be ${host}`);
  }
  if (!host) throw unsafe('URL has no host');

  const verdict = await vetHost(parsed.hostname, rulesFor(policy), policy.resolve ?? systemResolver);
  if (verdict.ok) return parsed;
  if (verdict.kind === 'dns') throw unsafe(`could not resolve host ${host} (${verdict.detail})`);
  if (verdict.address === host || isLocalhostName(host)) throw unsafe(`host ${host} is not a public address: ${verdict.reason}`);
  // What a name resolved to maps the operator's internal network: it goes to the log only.
  log?.warn({ host, address: verdict.address, reason: verdict.reason }, 'endpoint URL refused: its host resolves to an address that is not allowed');
  throw unsafe(`host ${host} resolves to an address that is not allowed`);
}
