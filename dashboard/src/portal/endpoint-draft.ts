import type { Endpoint, EndpointPatch, NewEndpoint } from '../api/types.js';

export interface EndpointDraft {
  url: string;
  events: string[];
  description: string;
  filter: string;
  secret: string;
  verifyToken: string;
  ordering: Endpoint['ordering'];
  /** Requests at once, at most; empty: the server's setting. */
  maxInFlight: string;
}

export const draftOf = (endpoint?: Endpoint): EndpointDraft => ({
  url: endpoint?.url ?? '',
  events: endpoint?.eventTypes ?? [],
  description: endpoint?.description ?? '',
  filter: endpoint?.filter ? JSON.stringify(endpoint.filter, null, 2) : '',
  secret: '',
  verifyToken: '',
  ordering: endpoint?.ordering ?? 'unordered',
  maxInFlight: endpoint?.maxInFlight ? String(endpoint.maxInFlight) : '',
});

/** The cap as the API takes it: null for the server's setting. */
const capOf = (draft: EndpointDraft): number | null => (draft.maxInFlight.trim() ? Number(draft.maxInFlight) : null);

/** The payload-filter text as JSON: `undefined` when empty, `Error` when it is not a JSON object. */
export function parseFilter(text: string): Record<string, unknown> | null | undefined | Error {
  if (!text.trim()) return undefined;
  try {
    const value = JSON.parse(text);
    if (value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) return new Error('not an object');
    return value as Record<string, unknown>;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * Live feedback while typing: what a browser can tell about a URL. Whether its host is a safe,
 * public address only the server can judge; its `unsafe_url` answer is shown on submit.
 */
export function urlProblem(text: string): 'form.urlInvalid' | 'form.urlScheme' | null {
  if (text.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'form.urlInvalid';
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'form.urlScheme';
}

export function createBody(draft: EndpointDraft): NewEndpoint {
  const filter = parseFilter(draft.filter);
  const body: NewEndpoint = { url: draft.url.trim(), eventTypes: draft.events };
  if (filter && !(filter instanceof Error)) body.filter = filter;
  if (draft.description.trim()) body.description = draft.description.trim();
  if (draft.secret) body.secret = draft.secret;
  if (draft.verifyToken) body.verifyToken = draft.verifyToken;
  if (draft.ordering !== 'unordered') body.ordering = draft.ordering;
  const cap = capOf(draft);
  if (cap !== null) body.maxInFlight = cap;
  return body;
}

/** Only what changed, so an edit never rewrites fields the user did not touch. */
export function patchBody(draft: EndpointDraft, endpoint: Endpoint): EndpointPatch {
  const before = draftOf(endpoint);
  const body: EndpointPatch = {};
  if (draft.filter !== before.filter) {
    const filter = parseFilter(draft.filter);
    body.filter = filter instanceof Error ? null : (filter ?? null);
  }
  if (draft.url.trim() !== endpoint.url) body.url = draft.url.trim();
  if (draft.description.trim() !== endpoint.description) body.description = draft.description.trim();
  if (draft.events.join('\n') !== endpoint.eventTypes.join('\n')) body.eventTypes = draft.events;
  if (draft.ordering !== endpoint.ordering) body.ordering = draft.ordering;
  const cap = capOf(draft);
  if (cap !== endpoint.maxInFlight) body.maxInFlight = cap;
  return body;
}
