// Guard for the relay's own routes (SPEC §8: routing, catalog sync): a key with the "events" or "filters" scope.
import { jsonError } from '../http/json';
import { checkApiKey } from './api-key-guard';
import type { ApiKey } from '../db/schema';
import { logger } from '../log';

type Handler<C> = (req: Request, ctx: C, key: ApiKey) => Promise<Response>;

export function withRelayKey<C>(handler: Handler<C>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      const events = await checkApiKey(req, 'events');
      let key = events.ok ? events.key : null;
      if (!events.ok) {
        if (events.response.status !== 403) return events.response;
        // The key lookup is cached, so asking again for the other scope costs no query.
        const filters = await checkApiKey(req, 'filters');
        if (!filters.ok) {
          if (filters.response.status !== 403) return filters.response;
          return jsonError(403, 'This API key has neither the "events" nor the "filters" scope.');
        }
        key = filters.key;
      }
      return await handler(req, ctx, key!);
    } catch (err) {
      logger().error({ err, method: req.method, path: new URL(req.url).pathname }, 'request failed');
      return jsonError(500, 'The service failed to handle this request; the error has been logged.');
    }
  };
}
