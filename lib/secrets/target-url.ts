// A target URL's secret parts (the password and every query value: https://alice:pw@crm.example.com/in?token=…)
// are treated like header values: shown masked to everyone, write-only, and kept when an editor sends the
// masked form back, but only to the same origin, so a stored secret never follows the URL to another host.
import { HEADER_MASK } from '../validation/webhook-options';

export const URL_MASK = HEADER_MASK;
const ENCODED_MASK = encodeURIComponent(URL_MASK);

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The query as [key, raw value | null] pairs in order, with the raw text kept ("a=1&b&c="). */
function queryPairs(search: string): [string, string | null][] {
  if (!search || search === '?') return [];
  return search
    .slice(1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [pair, null] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
}

const joinQuery = (pairs: [string, string | null][]) => (pairs.length ? `?${pairs.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join('&')}` : '');

/** scheme://user:••••@host/path?key=••••: the password and non-empty query values masked, the rest as given. */
export function maskTargetUrl(url: string): string {
  const u = parse(url);
  if (!u || (!u.password && !queryPairs(u.search).some(([, v]) => v))) return url;
  const auth = u.username || u.password ? `${u.username}${u.password ? `:${URL_MASK}` : ''}@` : '';
  const query = joinQuery(queryPairs(u.search).map(([k, v]) => [k, v ? URL_MASK : v]));
  return `${u.protocol}//${auth}${u.host}${u.pathname}${query}${u.hash}`;
}

const isMask = (v: string | null) => v === URL_MASK || v === ENCODED_MASK;

/** Whether a URL holds masked parts to be filled from the stored one. */
export function hasMaskedParts(url: string): boolean {
  return url.includes(URL_MASK) || url.includes(ENCODED_MASK);
}

export type Restored = { ok: true; url: string } | { ok: false; message: string };

/**
 * The URL an editor sent, with each masked part ("••••") replaced by the stored URL's value: the password,
 * and query values by key. Refused when the origin or user changed (the stored secret would go elsewhere),
 * or when a masked part has no stored value.
 */
export function restoreTargetUrl(given: string, stored: string | null): Restored {
  if (!hasMaskedParts(given)) return { ok: true, url: given };
  const g = parse(given);
  const s = stored === null ? null : parse(stored);
  if (!g) return { ok: true, url: given }; // the validation names what is wrong with it
  if (!s) return { ok: false, message: `Type the URL's password and query values: "${URL_MASK}" stands for a stored value, and there is none yet.` };
  if (g.origin !== s.origin || decodeURIComponent(g.username) !== decodeURIComponent(s.username)) {
    return { ok: false, message: `Type the URL's password and query values again: stored values are only kept for ${s.origin}.` };
  }
  let password = g.password;
  if (isMask(password)) {
    if (!s.password) return { ok: false, message: `Type the URL's password: "${URL_MASK}" stands for a stored one, and there is none.` };
    password = s.password;
  }
  const storedQuery = new Map(queryPairs(s.search));
  const pairs: [string, string | null][] = [];
  for (const [k, v] of queryPairs(g.search)) {
    if (!isMask(v)) {
      pairs.push([k, v]);
      continue;
    }
    const kept = storedQuery.get(k);
    if (!kept) return { ok: false, message: `Type the value of the query parameter "${decodeURIComponent(k)}": there is no stored one.` };
    pairs.push([k, kept]);
  }
  const auth = g.username || password ? `${g.username}${password ? `:${password}` : ''}@` : '';
  return { ok: true, url: `${g.protocol}//${auth}${g.host}${g.pathname}${joinQuery(pairs)}${g.hash}` };
}

/** Whether two URLs differ only in their masked parts (an audit entry then says a secret part changed). */
export function secretPartsChanged(before: string, after: string): boolean {
  return before !== after && maskTargetUrl(before) === maskTargetUrl(after);
}

/** Whether two URLs have the same origin (scheme, host, port). */
export function sameOrigin(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  return !!x && !!y && x.origin === y.origin;
}

/** A request body whose `url` is restored against the stored URL (see restoreTargetUrl); other bodies as given. */
export function restoreBodyUrl(body: unknown, stored: string | null): { ok: true; body: unknown } | { ok: false; message: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: true, body };
  const url = (body as { url?: unknown }).url;
  if (typeof url !== 'string') return { ok: true, body };
  const restored = restoreTargetUrl(url, stored);
  return restored.ok ? { ok: true, body: { ...body, url: restored.url } } : restored;
}

/** A URL refused by restoreBodyUrl, as a 400 naming the url field. */
export function urlIssue(message: string) {
  return { ok: false as const, status: 400 as const, error: message, issues: [{ path: 'url', message }] };
}

/**
 * What the audit log records of changed secrets, without their values: the masked views of a target compare
 * equal when only a URL's password or query values, or a header's value, changed.
 */
export function secretChanges(
  before: { url: string; headers: Record<string, string> | null },
  after: { url: string; headers: Record<string, string> | null },
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  if (secretPartsChanged(before.url, after.url)) {
    changes.url_secrets = { before: URL_MASK, after: `${URL_MASK} (changed)` };
  }
  const old = new Map(Object.entries(before.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [name, value] of Object.entries(after.headers ?? {})) {
    const was = old.get(name.toLowerCase());
    // A kept value is the same ciphertext; a value typed again is encrypted anew, even when it is the same.
    if (was !== undefined && was !== value) changes[`headers.${name}`] = { before: URL_MASK, after: `${URL_MASK} (changed)` };
  }
  return changes;
}
