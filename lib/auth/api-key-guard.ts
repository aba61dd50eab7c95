// The one guard for API routes called with a Bearer key: 401 without a known key, 403 without the scope.
import { getDb } from '../db';
import { jsonError } from '../http/json';
import { findActiveKey, type Scope } from './api-keys';
import type { ApiKey } from '../db/schema';
import { logger } from '../log';

export type KeyCheck = { ok: true; key: ApiKey } | { ok: false; response: Response };

export function bearerToken(req: Request): string | null {
  const header = req.headers.get('authorization');
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? match[1]! : null;
}

export async function checkApiKey(req: Request, scope: Scope): Promise<KeyCheck> {
  const token = bearerToken(req);
  if (!token) {
    return { ok: false, response: jsonError(401, 'An API key is required: send it as "Authorization: Bearer <key>".') };
  }
  const { db } = await getDb();
  const key = await findActiveKey(db, token);
  if (!key) return { ok: false, response: jsonError(401, 'The API key is unknown or has been revoked.') };
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) {
    return { ok: false, response: jsonError(401, `This API key expired on ${key.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: create a new one.`) };
  }
  if (!key.scopes.includes(scope)) {
    return { ok: false, response: jsonError(403, `This API key does not have the "${scope}" scope.`) };
  }
  return { ok: true, key };
}

type Handler<C> = (req: Request, ctx: C, key: ApiKey) => Promise<Response>;

/** Wraps a route handler: the key is checked before anything else; unexpected errors become a logged 500. */
export function withApiKey<C>(scope: Scope, handler: Handler<C>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      const check = await checkApiKey(req, scope);
      if (!check.ok) return check.response;
      return await handler(req, ctx, check.key);
    } catch (err) {
      logger().error({ err, method: req.method, path: new URL(req.url).pathname }, 'request failed');
      return jsonError(500, 'The service failed to handle this request; the error has been logged.');
    }
  };
}
