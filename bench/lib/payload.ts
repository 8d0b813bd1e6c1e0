/**
 * One payload shape for Herald and the ceiling, so the ceiling moves the same bytes Herald does:
 * a chat-message-like `data` object (~180 bytes), wrapped in the snake envelope (~300 bytes).
 */
export const BENCH_EVENT_TYPE = 'bench.message';

export function eventData(seq: number): Record<string, unknown> {
  return {
    seq,
    channel: 'whatsapp',
    conversationId: 'conv_01JG7Q3X9K2M4N6P8R0T2V4X6Z',
    from: { id: 'user_4821', name: 'Ada Lovelace' },
    text: 'Hello! I would like to know the status of my order #48213, thanks.',
  };
}

/** The body Herald would send for this event: `{id, type, created_at, data}`. */
export function rawEnvelope(id: string, seq: number): string {
  return JSON.stringify({ id, type: BENCH_EVENT_TYPE, created_at: new Date().toISOString(), data: eventData(seq) });
}
