// Management API tests: a PGlite with an admin key, route handlers called in-process, a webfilter's defaults.
import { createApiKey } from '../../lib/auth/api-keys';
import { setDb, type DbHandle } from '../../lib/db';
import { pgliteDb } from './db';

/** A fresh, migrated PGlite made the app's database, and an admin API key on it. */
export async function adminApi(): Promise<{ handle: DbHandle; token: string }> {
  const handle = await pgliteDb();
  setDb(handle);
  const { token } = await createApiKey(handle.db, { name: 'admin', scopes: ['admin'] });
  return { handle, token };
}

/** The context a `[id]` route handler gets. */
export const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

/** Makes JSON requests to base + path with a bearer token: token() unless one is given, none when null. */
export function requestTo(base: string, token: () => string) {
  return (method: string, path = '', body?: unknown, t: string | null = token()) =>
    new Request(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
}

/** A handler's answer with its JSON body parsed (null when empty). */
export async function call(res: Promise<Response>) {
  const r = await res;
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
}

/** What a new webfilter holds for every field the request leaves out (but filter_type, url and position). */
export const WEBFILTER_DEFAULTS = {
  description: '',
  enabled: true,
  disable_filtering: false,
  disable_halting: false,
  halt_on_4xx: false,
  redirect_on_4xx: '',
  halt_on_5xx: false,
  redirect_on_5xx: '',
  halt_on_request_exception: false,
  redirect_on_request_exception: '',
  use_www_form_encoding: false,
};
