// Guard for the management API: a Bearer key with the "admin" scope, or a signed-in admin's session. A change
// made with the session cookie must come from a page of this origin (the browser's Sec-Fetch-Site or Origin
// says so): a page elsewhere on the same site, such as course content on the LMS, cannot make one.
import { jsonError } from '../http/json';
import { bearerToken, checkApiKey } from './api-key-guard';
import { requestOrigin } from './origin';
import { currentAdmin } from './session';
import { logger } from '../log';

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when a browser says the request comes from a page of this very origin. */
export function fromSameOrigin(req: Request): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const origin = req.headers.get('origin');
  return !!origin && origin !== 'null' && origin === requestOrigin(req.headers);
}

export function withAdmin<C>(handler: Handler<C>) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      if (bearerToken(req) !== null || req.headers.has('authorization')) {
        const check = await checkApiKey(req, 'admin');
        if (!check.ok) return check.response;
      } else if (!(await currentAdmin())) {
        return jsonError(401, 'Sign in or send an API key with the "admin" scope as "Authorization: Bearer <key>".');
      } else if (!SAFE_METHODS.has(req.method) && !fromSameOrigin(req)) {
        return jsonError(
          403,
          'A change made with the sign-in cookie must come from this app\'s own pages; scripts and other sites send an API key as "Authorization: Bearer <key>".',
        );
      }
      return await handler(req, ctx);
    } catch (err) {
      logger().error({ err, method: req.method, path: new URL(req.url).pathname }, 'request failed');
      return jsonError(500, 'The service failed to handle this request; the error has been logged.');
    }
  };
}
