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

/** POSTs email and password to the credentials callback (with a fresh csrf token), as the sign-in form would. */
export async function postCredentials(base: string, email: string, password: string, headers: Record<string, string> = {}) {
  const csrf = await rawRequest(base, 'GET', '/api/auth/csrf', { headers });
  const { csrfToken } = JSON.parse(csrf.text) as { csrfToken: string };
  return rawRequest(base, 'POST', '/api/auth/callback/credentials', {
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', cookie: csrf.cookies.join('; ') },
    body: new URLSearchParams({ csrfToken, email, password }).toString(),
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
export function postFormAction(base: string, page: string, id: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const boundary = `----oewh${Math.random().toString(16).slice(2)}`;
  const parts = [...Object.entries(fields).map(([k, v]) => [`1_${k}`, v] as const), ['0', JSON.stringify([{}, '$K1'])] as const];
  const body = parts.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
  return rawRequest(base, 'POST', page, {
    headers: { ...headers, 'next-action': id, accept: 'text/x-component', 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
}
