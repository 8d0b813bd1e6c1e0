import type { EventType } from '../domain/event-type.js';
import type { CatalogCache } from './catalog-cache.js';
import { validationFailed } from '../errors.js';
import { assertMatchesSchema } from './json-schemas.js';
import type { EventInput } from './publish-event.js';

/**
 * Checks events against the catalog as it stands now: a known type, data present, data
 * matching the type's schema. `pointer(i)` says where event i sits in the request body
 * (`''` for a single publish, `/events/3` in a batch), so every detail's path points at the
 * offending value. The first bad event, in request order, answers for the request; each
 * distinct type is read once.
 */
export async function checkEvents(catalog: Pick<CatalogCache, 'eventType'>, events: readonly EventInput[], pointer: (index: number) => string): Promise<void> {
  const types = new Map<string, EventType | null>();
  for (const name of new Set(events.map((event) => event.type))) types.set(name, await catalog.eventType(name));
  events.forEach((event, index) => {
    const at = pointer(index);
    const where = at ? `${at}: ` : '';
    const eventType = types.get(event.type);
    if (!eventType) throw validationFailed(`${where}unknown event type: ${event.type}`, [{ path: `${at}/type`, value: event.type }]);
    if (event.data === undefined) throw validationFailed(`${where}data is required`, [{ path: `${at}/data` }]);
    assertMatchesSchema(eventType, event.data, `${at}/data`);
  });
}
