import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ar } from '../../dashboard/src/i18n/ar.js';
import { en } from '../../dashboard/src/i18n/en.js';

describe('dashboard message catalogs', () => {
  it('English and Arabic have exactly the same keys', () => {
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
  });

  it('every message is non-empty and keeps the same {placeholders}', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe('');
      expect(ar[key].trim(), key).not.toBe('');
      expect(placeholders(ar[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('the language button reads العربية in English and English in Arabic', () => {
    expect(en['lang.switch']).toBe('العربية');
    expect(ar['lang.switch']).toBe('English');
    expect(en['endpoints.add']).toBe('Add endpoint');
    expect(en['form.create']).toBe('Create');
    expect(en['endpoints.sendTest']).toBe('Send test');
    expect(en['tabs.deliveries']).toBe('Deliveries');
  });

  it('every t() key used by the components exists in the catalogs', () => {
    const dir = join(import.meta.dirname, '../../dashboard/src');
    const used = new Set<string>();
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => /\.tsx?$/.test(name) && !name.startsWith('i18n'));
    for (const file of files) {
      const source = readFileSync(join(dir, file), 'utf8');
      for (const match of source.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) used.add(match[1]!);
      for (const match of source.matchAll(/label: '([a-zA-Z0-9_.]+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const key of used) expect(Object.keys(en), key).toContain(key);
  });
});
