import { describe, expect, it } from 'vitest';
import { matchesFilter, validateFilter } from './filter.js';

const envelope = {
  id: 'evt_1',
  type: 'message.received',
  data: { channel: 'whatsapp', score: 7, tags: ['vip', 'new'], contact: { country: 'SA' }, note: null },
};

describe('matchesFilter', () => {
  it.each([
    [{ 'data.channel': 'whatsapp' }, true],
    [{ 'data.channel': 'sms' }, false],
    [{ 'data.channel': { $eq: 'whatsapp' } }, true],
    [{ 'data.channel': { $ne: 'whatsapp' } }, false],
    [{ 'data.missing': { $ne: 'x' } }, true],
    [{ 'data.channel': { $in: ['sms', 'whatsapp'] } }, true],
    [{ 'data.channel': { $nin: ['sms', 'whatsapp'] } }, false],
    [{ 'data.missing': { $nin: ['x'] } }, true],
    [{ 'data.score': { $gt: 5, $lte: 7 } }, true],
    [{ 'data.score': { $gte: 8 } }, false],
    [{ 'data.score': { $lt: '9' } }, false],
    [{ 'data.contact.country': 'SA' }, true],
    [{ 'data.tags': 'vip' }, true],
    [{ 'data.note': { $exists: true } }, true],
    [{ 'data.nothing': { $exists: false } }, true],
    [{ 'data.channel': 'whatsapp', type: 'message.sent' }, false],
  ])('%j → %s', (filter, expected) => {
    expect(matchesFilter(filter, envelope)).toBe(expected);
  });

  it('matches everything without a filter', () => {
    expect(matchesFilter(null, envelope)).toBe(true);
  });
});

describe('validateFilter', () => {
  it('accepts the brief operators', () => {
    expect(validateFilter({ 'data.channel': { $in: ['whatsapp'] }, 'data.score': { $gte: 1 }, type: 'x' })).toEqual([]);
  });

  it('names the path of each problem', () => {
    expect(validateFilter({ 'data.channel': { $regex: 'x' } })).toEqual(['data.channel.$regex: unknown operator']);
    expect(validateFilter({ 'data.channel': { $in: 'whatsapp' } })).toEqual(['data.channel.$in: needs an array']);
    expect(validateFilter({ 'data..x': 1 })).toEqual(['data..x: not a dotted path']);
    expect(validateFilter([1])).toHaveLength(1);
  });
});
