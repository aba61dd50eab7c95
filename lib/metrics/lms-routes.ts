// Wrappers for the two LMS routes: every answer, refusals by the key guard included, is counted once.
import { requestIdOf } from '../http/request-id';
import { observeEvent, observeFilterRefused } from './observe';

type Route<C> = (req: Request, ctx: C) => Promise<Response>;

const sentTypes = new WeakMap<Request, string>();

/** The event type the body named (or the canonical one once known), for the metric's label. */
export function noteEventType(req: Request, eventType: string): void {
  sentTypes.set(req, eventType);
}

export function countedEvents<C>(route: Route<C>): Route<C> {
  return async (req, ctx) => {
    const res = await route(req, ctx);
    observeEvent(res.status, sentTypes.get(req) ?? null, requestIdOf(req));
    return res;
  };
}

/** Filter calls answered 200 are counted by the route with their result; refusals here. */
export function countedFilters<C>(route: Route<C>): Route<C> {
  return async (req, ctx) => {
    const res = await route(req, ctx);
    if (res.status !== 200) observeFilterRefused(res.status);
    return res;
  };
}
