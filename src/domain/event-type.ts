export interface EventType {
  name: string;
  description: string;
  schema: Record<string, unknown> | null;
  example: unknown;
  deprecated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Herald publishes these itself; they are in every catalog. */
export const BUILT_IN_EVENT_TYPES: ReadonlyArray<Pick<EventType, 'name' | 'description' | 'example'>> = [
  {
    name: 'quota.warning',
    description: 'The tenant has used 80 % of its event quota for the period.',
    example: { limit: 1000, used: 800, period: 'month' },
  },
  {
    name: 'quota.exceeded',
    description: 'The tenant has used its whole event quota for the period.',
    example: { limit: 1000, used: 1000, period: 'month' },
  },
  {
    name: 'webhook.test',
    description: 'A test event sent from the dashboard or the API.',
    example: { message: 'This is a test event from Herald.' },
  },
];

/** Dotted names of any depth: `chat.message`, `user.message.received`. */
export const EVENT_TYPE_NAME_PATTERN = '^[a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)*$';
