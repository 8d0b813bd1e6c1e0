import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePortalConfig } from '../config.js';
import { registerDashboard } from './dashboard.js';

const INDEX = '<!doctype html><html><head><title>Herald</title></head><body><div id="root"></div></body></html>';

describe('serving the console at / and the portal at /portal', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-dashboard-'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    app = Fastify();
    registerDashboard(app, { dir, portal: parsePortalConfig({ HERALD_PORTAL_FRAME_ANCESTORS: 'https://app.example.com, http://127.0.0.1:5173', HERALD_PORTAL_BRAND_NAME: 'Acme "Hooks" <b>', HERALD_PORTAL_BRAND_COLOR: '#0a7' }) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });

  it('never lets anyone frame the console, nor any other page', async () => {
    for (const url of ['/', '/index.html', '/some/client/path']) {
      const answer = await get(url);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['content-security-policy']).toMatch(/frame-ancestors 'none'$/);
      expect(answer.body).not.toContain('herald-brand');
    }
  });

  it("lets the configured origins frame /portal, and writes the operator's brand into it, escaped", async () => {
    for (const url of ['/portal', '/portal/']) {
      const answer = await get(url);
      expect(answer.headers['content-security-policy']).toMatch(/frame-ancestors https:\/\/app\.example\.com http:\/\/127\.0\.0\.1:5173$/);
      expect(answer.body).toContain('<meta name="herald-brand-name" content="Acme &quot;Hooks&quot; &lt;b&gt;">');
      expect(answer.body).toContain('<meta name="herald-brand-color" content="#0a7">');
    }
  });

  it('keeps /portal unframeable and unbranded when nothing is configured', async () => {
    const plain = Fastify();
    registerDashboard(plain, { dir });
    const answer = await plain.inject({ method: 'GET', url: '/portal' });
    expect(answer.headers['content-security-policy']).toMatch(/frame-ancestors 'none'$/);
    expect(answer.body).toBe(INDEX);
    await plain.close();
  });
});

describe('HERALD_PORTAL_* variables', () => {
  it("defaults to no framing and no brand", () => {
    expect(parsePortalConfig({})).toEqual({ frameAncestors: "'none'", brandName: null, brandColor: null });
  });

  it('accepts origins, wildcard subdomains and keywords', () => {
    expect(parsePortalConfig({ HERALD_PORTAL_FRAME_ANCESTORS: "'self' https://*.example.com:8443" }).frameAncestors).toBe("'self' https://*.example.com:8443");
  });

  it('refuses anything that could add a CSP directive, and bad colours and names', () => {
    for (const value of ["https://a.example.com; script-src *", 'javascript:alert(1)', "https://a.example.com'", "'none' https://a.example.com", 'https://a.example.com/path']) {
      expect(() => parsePortalConfig({ HERALD_PORTAL_FRAME_ANCESTORS: value }), value).toThrow(/HERALD_PORTAL_FRAME_ANCESTORS/);
    }
    for (const value of ['red', '#12345', '#ggg', 'rgb(0,0,0)']) expect(() => parsePortalConfig({ HERALD_PORTAL_BRAND_COLOR: value }), value).toThrow(/HERALD_PORTAL_BRAND_COLOR/);
    expect(() => parsePortalConfig({ HERALD_PORTAL_BRAND_NAME: 'x'.repeat(101) })).toThrow(/HERALD_PORTAL_BRAND_NAME/);
  });
});
