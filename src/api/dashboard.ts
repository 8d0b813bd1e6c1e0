import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PortalConfig } from '../config.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where `npm run build:dashboard` writes the app: `dist/dashboard`, seen from src/api or dist/src/api. */
export function dashboardDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [resolve(here, '../../dist/dashboard'), resolve(here, '../../dashboard')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

/** The app loads only its own scripts and styles and talks only to this origin. */
const APP_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'";
/** The console (and every page but /portal): no one may frame it. */
export const CONTENT_SECURITY_POLICY = `${APP_POLICY}; frame-ancestors 'none'`;
/** The portal page: framed only by the origins the operator named (HERALD_PORTAL_FRAME_ANCESTORS). */
export const portalPolicy = (frameAncestors: string) => `${APP_POLICY}; frame-ancestors ${frameAncestors}`;

const NO_PORTAL: PortalConfig = { frameAncestors: "'none'", brandName: null, brandColor: null };

/**
 * The operator's brand rides in the page itself, as <meta name="herald-brand-…">, so the portal
 * shows it before any API call (the tenant's own settings.portal then override it).
 */
export function withBrand(html: string, portal: PortalConfig): string {
  const metas = [
    portal.brandName && `<meta name="herald-brand-name" content="${escapeAttribute(portal.brandName)}">`,
    portal.brandColor && `<meta name="herald-brand-color" content="${escapeAttribute(portal.brandColor)}">`,
  ].filter(Boolean);
  return metas.length ? html.replace('</head>', `${metas.join('')}</head>`) : html;
}

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Herald</title>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>Herald is running</h1><p>The dashboard has not been built. Run <code>npm run build:dashboard</code> (or <code>npm run build</code>) and reload.</p>
<p>The API is at <code>/api/v1</code>; its reference is at <a href="/docs">/docs</a>.</p></body></html>`;

/**
 * Serves the built dashboard: `/` (the console) and `/portal` (the embeddable tenant portal)
 * answer the same index.html with their own CSP; unknown browser paths answer the console's
 * (never cached),
 * `/assets/*` are content-hashed and cached for a year. Anything under /api, and requests that
 * do not ask for HTML, keep the API's JSON 404.
 */
export function registerDashboard(app: FastifyInstance, options: { portal?: PortalConfig; dir?: string | null } = {}): void {
  const dir = options.dir === undefined ? dashboardDir() : options.dir;
  const portal = options.portal ?? NO_PORTAL;
  const cache = new Map<string, Buffer>();
  const load = async (file: string): Promise<Buffer | null> => {
    const hit = cache.get(file);
    if (hit) return hit;
    try {
      const body = await readFile(file);
      cache.set(file, body);
      return body;
    } catch {
      return null;
    }
  };

  const sendIndex = async (reply: FastifyReply, page: 'console' | 'portal') => {
    const body = dir ? await load(join(dir, 'index.html')) : null;
    reply
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', page === 'portal' ? portalPolicy(portal.frameAncestors) : CONTENT_SECURITY_POLICY)
      .type('text/html; charset=utf-8');
    if (!body) return reply.status(200).send(NOT_BUILT);
    return reply.send(page === 'portal' ? withBrand(body.toString('utf8'), portal) : body);
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    if (path === '/' || path === '/index.html') return sendIndex(reply, 'console');
    if (path === '/portal' || path === '/portal/') return sendIndex(reply, 'portal');
    if (path.startsWith('/api/') || path === '/api') return reply.callNotFound();
    if (dir && !path.includes('\0')) {
      const file = normalize(join(dir, path));
      if (file.startsWith(dir + sep) && extname(file) in CONTENT_TYPES && !file.endsWith('index.html')) {
        const body = await load(file);
        if (body) {
          const hashed = path.startsWith('/assets/');
          return reply
            .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
            .header('x-content-type-options', 'nosniff')
            .type(CONTENT_TYPES[extname(file)]!)
            .send(body);
        }
      }
    }
    // A browser navigating to a client-side path gets the app; API clients keep the JSON 404.
    const accept = request.headers.accept ?? '';
    if (!path.startsWith('/assets/') && accept.includes('text/html')) return sendIndex(reply, 'console');
    return reply.callNotFound();
  };

  app.get('/', { schema: { hide: true } }, handler);
  app.get('/*', { schema: { hide: true } }, handler);
}
