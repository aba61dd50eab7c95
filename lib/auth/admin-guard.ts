// Guard for the management API: a Bearer key with the "admin" scope, or a signed-in admin's session.
import { jsonError } from '../http/json';
import { bearerToken, checkApiKey } from './api-key-guard';
import { currentAdmin } from './session';

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

export function withAdmin<C>(handler: Handler<C>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      if (bearerToken(req) !== null || req.headers.has('authorization')) {
        const check = await checkApiKey(req, 'admin');
        if (!check.ok) return check.response;
      } else if (!(await currentAdmin())) {
        return jsonError(401, 'Sign in or send an API key with the "admin" scope as "Authorization: Bearer <key>".');
      }
      return await handler(req, ctx);
    } catch (err) {
      console.error(`[api] ${req.method} ${new URL(req.url).pathname} failed:`, err);
      return jsonError(500, 'The service failed to handle this request; the error has been logged.');
    }
  };
}
