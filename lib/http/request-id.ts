// x-request-id (SPEC §11): taken from the caller when it looks like an id, made up otherwise; returned on
// every response, written on every log line about the request and stored on the deliveries it queued.
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

// An id a proxy or the relay made (UUIDs, hex, base64url, "abc-123.4"): short, and nothing a log could misread.
const SANE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The caller's id when sane, otherwise a new UUID. */
export function requestIdFor(incoming: string | string[] | null | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && SANE.test(value) ? value : randomUUID();
}

/** The id server.ts gave this request (null when served some other way, like `next dev`). */
export function requestIdOf(req: Request): string | null {
  const value = req.headers.get(REQUEST_ID_HEADER);
  return value && SANE.test(value) ? value : null;
}
