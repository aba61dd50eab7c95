// Guard for the management API: a Bearer key with the "admin" scope (it acts as an owner), or a signed-in user
// whose role allows the route (SPEC §10: reads for every role, changes for editors, users and audit for owners). A change
// made with the session cookie must come from a page of this origin (the browser's Sec-Fetch-Site or Origin
// says so): a page elsewhere on the same site, such as course content on the LMS, cannot make one.
import { jsonError } from '../http/json';
import { bearerToken, checkApiKey } from './api-key-guard';
import type { Scope } from './api-keys';
import { requestOrigin } from './origin';
import { allows, roleRefusal, type Actor, type Role } from './roles';
import { actorOf, currentAdmin } from './session';
import { logger } from '../log';

type Handler<C> = (req: Request, ctx: C, actor: Actor) => Promise<Response>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when a browser says the request comes from a page of this very origin. */
export function fromSameOrigin(req: Request): boolean {
  const site = req.headers.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const origin = req.headers.get('origin');
  return !!origin && origin !== 'null' && origin === requestOrigin(req.headers);
}

/**
 * `role` is the least role the route needs; without it, reads need a viewer and changes an editor.
 */
export function withAdmin<C>(handler: Handler<C>, role?: Role, alsoScope?: Scope) {
  return async (req: Request, ctx: C): Promise<Response> => {
    try {
      const needed = role ?? (SAFE_METHODS.has(req.method) ? 'viewer' : 'editor');
      let actor: Actor;
      if (bearerToken(req) !== null || req.headers.has('authorization')) {
        // A route may also take another scope's key (POST /api/v1/retirements: the relay's "events" key).
        let check = await checkApiKey(req, 'admin');
        if (!check.ok && alsoScope && check.response.status === 403) check = await checkApiKey(req, alsoScope);
        if (!check.ok) return check.response;
        actor = { type: 'api_key', id: check.key.id, label: check.key.name, role: 'owner' };
      } else {
        const admin = await currentAdmin();
        if (!admin) return jsonError(401, 'Sign in or send an API key with the "admin" scope as "Authorization: Bearer <key>".');
        if (!SAFE_METHODS.has(req.method) && !fromSameOrigin(req)) {
          return jsonError(
            403,
            'A change made with the sign-in cookie must come from this app\'s own pages; scripts and other sites send an API key as "Authorization: Bearer <key>".',
          );
        }
        actor = actorOf(admin);
      }
      if (!allows(actor.role, needed)) return jsonError(403, roleRefusal(actor.role, needed));
      return await handler(req, ctx, actor);
    } catch (err) {
      logger().error({ err, method: req.method, path: new URL(req.url).pathname }, 'request failed');
      return jsonError(500, 'The service failed to handle this request; the error has been logged.');
    }
  };
}
