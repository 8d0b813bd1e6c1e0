import { expect, it } from 'vitest';
import { matchesEventType } from './subscription.js';

it.each([
  [['*'], 'chat.message', true],
  [['chat.message'], 'chat.message', true],
  [['chat.message'], 'chat.response', false],
  [['user.*'], 'user.message.received', true],
  [['user.*'], 'users.created', false],
  [['user.message.*'], 'user.session.started', false],
  [['ticket.*', 'page.*'], 'page.updated', true],
])('%j subscribes to %s: %s', (patterns, type, expected) => {
  expect(matchesEventType(patterns, type)).toBe(expected);
});
