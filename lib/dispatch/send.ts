// One outgoing HTTP call: timeout, no redirects, the §7 address check at connect time, bounded response capture.
import net from 'node:net';
import { USER_AGENT } from '../version';
import { guardedLookup, isPrivateAddress, PrivateTargetError } from './address';
import { headerProblem, post as leanPost, type CallError, type Origin } from './http1';
import { post as undiciPost, proxyFor, type ClientError } from './http-client';
import { env } from '../env';
import { urlLabel } from '../url-label';

export const RESPONSE_CAPTURE_BYTES = 64 * 1024;

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Bytes of the response body to keep (default 64 KiB); the rest is read and dropped. */
  captureBytes?: number;
  signal?: AbortSignal;
}

export type SendErrorKind = 'timeout' | 'private_target' | 'connection' | 'invalid_url' | 'aborted' | 'breaker_open';

export interface SendResult {
  startedAt: Date;
  durationMs: number;
  /** The request headers as sent. */
  requestHeaders: Record<string, string>;
  status: number | null;
  ok: boolean;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
  error: string | null;
  errorKind: SendErrorKind | null;
  /** The proxy the call went through (its origin, without credentials), or null for a direct call. */
  proxy: string | null;
}

/** A URL checked and turned into an origin and path once: a worker calls the same few URLs thousands of times. */
type Parsed = { ok: true; origin: Origin; ipLiteral: boolean; path: string; basicAuth: string | null } | { ok: false };
const parsed = new Map<string, Parsed>();

function parse(raw: string): Parsed {
  let p = parsed.get(raw);
  if (!p) {
    try {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      const https = url.protocol === 'https:';
      const origin = {
        https,
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port ? Number(url.port) : https ? 443 : 80,
        hostHeader: url.host,
      };
      // user:password@ in the URL is sent as Basic authentication (as node:http did), never logged.
      const basicAuth =
        url.username || url.password
          ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
          : null;
      p = { ok: true, origin, ipLiteral: net.isIP(origin.host) !== 0, path: `${url.pathname}${url.search}`, basicAuth };
    } catch {
      p = { ok: false };
    }
    if (parsed.size >= 1_000) parsed.clear();
    parsed.set(raw, p);
  }
  return p;
}

/** One result, every field spelled out (one object shape for every call). */
function result(
  startedAt: Date,
  t0: number,
  requestHeaders: Record<string, string>,
  status: number | null,
  headers: Record<string, string>,
  body: string,
  bodyTruncated: boolean,
  error: string | null,
  errorKind: SendErrorKind | null,
  proxy: string | null,
): SendResult {
  const ok = status !== null && status >= 200 && status < 300;
  return { startedAt, durationMs: Math.round(performance.now() - t0), requestHeaders, status, ok, headers, body, bodyTruncated, error, errorKind, proxy };
}

/** The sentence for a call that got no answer. */
function callFailure(err: CallError | ClientError): { kind: SendErrorKind; error: string } {
  if (err.cause instanceof PrivateTargetError || (err.cause as Error | undefined)?.name === 'PrivateTargetError') {
    return { kind: 'private_target', error: err.message };
  }
  if (err.code === 'INVALID_RESPONSE') return { kind: 'connection', error: err.message };
  if (err.answered) return { kind: 'connection', error: `The answer was cut off (${err.message}).` };
  const code = err.code ? `${err.code}: ` : '';
  return { kind: 'connection', error: `Connection failed (${code}${err.message}).` };
}

export function send(req: SendRequest): Promise<SendResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const requestHeaders: Record<string, string> = {
    'user-agent': USER_AGENT,
    ...req.headers,
    'content-length': String(Buffer.byteLength(req.body)),
  };
  let via: string | null = null;
  const failure = (errorKind: SendErrorKind, error: string) =>
    result(startedAt, t0, requestHeaders, null, {}, '', false, error, errorKind, via);

  const url = parse(req.url);
  if (!url.ok) return Promise.resolve(failure('invalid_url', `The URL ${urlLabel(req.url)} is not a valid http(s) URL.`));
  const host = url.origin.host;
  // An IP literal is connected to without a lookup, so it is checked here.
  if (!req.allowPrivate && url.ipLiteral && isPrivateAddress(host)) {
    return Promise.resolve(failure('private_target', new PrivateTargetError(host, host).message));
  }
  for (const name in requestHeaders) {
    const problem = headerProblem(name, requestHeaders[name]!);
    if (problem) return Promise.resolve(failure('connection', problem));
  }

  // The attempt records the headers without the URL's credentials.
  const wire =
    url.basicAuth && !Object.keys(requestHeaders).some((k) => k.toLowerCase() === 'authorization')
      ? { ...requestHeaders, authorization: url.basicAuth }
      : requestHeaders;
  const e = env();
  const proxy = e.HTTPS_PROXY || e.HTTP_PROXY ? proxyFor(url.origin, { httpProxy: e.HTTP_PROXY, httpsProxy: e.HTTPS_PROXY, noProxy: e.NO_PROXY }) : null;
  via = proxy && new URL(proxy).origin;
  const captureBytes = req.captureBytes ?? RESPONSE_CAPTURE_BYTES;
  // Plain HTTP reached directly takes the built-in client unless HTTP_CLIENT=undici (http1.ts; the README's figures).
  const call =
    e.HTTP_CLIENT === 'lean' && !proxy && !url.origin.https
      ? leanPost(url.origin, req.allowPrivate ? 'open' : 'guarded', {
          path: url.path,
          headers: wire,
          body: req.body,
          captureBytes,
          lookup: req.allowPrivate ? undefined : (guardedLookup as never),
        })
      : undiciPost(url.origin, { path: url.path, headers: wire, body: req.body, captureBytes, guarded: !req.allowPrivate, proxy });
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const timer = setTimeout(() => {
      call.abort();
      finish(failure('timeout', `No complete answer within ${req.timeoutMs} ms (timeout).`));
    }, req.timeoutMs);
    const onAbort = () => {
      call.abort();
      finish(failure('aborted', 'The call was cancelled.'));
    };
    if (req.signal?.aborted) onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });

    call.promise.then(
      (res) =>
        finish(result(startedAt, t0, requestHeaders, res.status, res.headers, res.body.toString('utf8'), res.truncated, null, null, via)),
      (err: CallError | ClientError) => {
        const f = callFailure(err);
        if (f.kind === 'private_target') via = null; // refused before the proxy was asked
        finish(failure(f.kind, f.error));
      },
    );
  });
}
