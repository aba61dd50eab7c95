// Signing in to the BUILT server as a browser does (csrf token, then the credentials callback), over
// node:http so a test can send any Host header (fetch always sends the URL's own).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DIST_DIR } from './server';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Set-Cookie name=value pairs. */
  cookies: string[];
  /** Full Set-Cookie lines (attributes too). */
  setCookie: string[];
  text: string;
}

export function rawRequest(
  base: string,
  method: string,
  pathname: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const url = new URL(pathname, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? [];
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            setCookie,
            cookies: setCookie.map((c) => c.split(';')[0]!),
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${pathname}: no answer in 120 s`)));
    req.end(opts.body);
  });
}

export interface CsrfPair {
  cookie: string;
  token: string;
}

/** next-auth's csrf token and its cookie (reusable for many sign-ins from one "browser"). */
export async function csrfPair(base: string, headers: Record<string, string> = {}): Promise<CsrfPair> {
  const csrf = await rawRequest(base, 'GET', '/api/auth/csrf', { headers });
  return { cookie: csrf.cookies.join('; '), token: (JSON.parse(csrf.text) as { csrfToken: string }).csrfToken };
}

/** POSTs email and password to the credentials callback (with a fresh csrf token unless given), as the sign-in form would. */
export async function postCredentials(base: string, email: string, password: string, headers: Record<string, string> = {}, csrf?: CsrfPair) {
  const { cookie, token } = csrf ?? (await csrfPair(base, headers));
  return rawRequest(base, 'POST', '/api/auth/callback/credentials', {
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie },
    // callbackUrl as next-auth's own client sends it: where to go once signed in.
    body: new URLSearchParams({ csrfToken: token, email, password, callbackUrl: '/webhooks' }).toString(),
  });
}

export const sessionCookieOf = (res: RawResponse) => res.cookies.find((c) => /session-token=./.test(c)) ?? null;

/** A session cookie ("authjs.session-token=…") for the admin; throws when the sign-in does not give one. */
export async function signInCookie(base: string, email: string, password: string, headers: Record<string, string> = {}) {
  const res = await postCredentials(base, email, password, headers);
  const cookie = sessionCookieOf(res);
  if (!cookie) throw new Error(`sign-in answered ${res.status} ${res.headers.location ?? ''} ${res.text.slice(0, 200)}`);
  return cookie;
}

/** The id of a built server action (for calling it over HTTP as its page's form does). */
export function actionId(name: string, file?: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(path.resolve(import.meta.dirname, '../..'), DIST_DIR, 'server', 'server-reference-manifest.json'), 'utf8'))
    .node as Record<string, { exportedName: string; filename: string }>;
  const found = Object.entries(manifest).find(([, v]) => v.exportedName === name && (!file || v.filename === file));
  if (!found) throw new Error(`no server action ${name} in the build`);
  return found[0];
}

/** Calls a form action (useActionState: (prevState, formData)) over HTTP, as React's form does. */
export async function postFormAction(base: string, page: string, id: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const form = new FormData();
  // React names a FormData argument's fields "_<id>_<name>" (this React version).
  for (const [k, v] of Object.entries(fields)) form.append(`_1_${k}`, v);
  form.append('0', JSON.stringify([{}, '$K1']));
  const res = await fetch(new URL(page, base), {
    method: 'POST',
    headers: { ...headers, 'next-action': id, accept: 'text/x-component' },
    body: form,
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, setCookie: res.headers.getSetCookie(), text: await res.text() };
}
