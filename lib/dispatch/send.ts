// One outgoing HTTP call: timeout, no redirects, the §7 address check at connect time, bounded response capture.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { urlToHttpOptions } from 'node:url';
import { USER_AGENT } from '../version';
import { guardedLookup, isPrivateAddress, PrivateTargetError } from './address';
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

export type SendErrorKind = 'timeout' | 'private_target' | 'connection' | 'invalid_url' | 'aborted';

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
}

// Keep-alive pools: most deliveries go to a few receivers, so reusing connections matters.
const agentOptions = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
const agents = {
  guarded: { http: new http.Agent({ ...agentOptions }), https: new https.Agent({ ...agentOptions }) },
  open: { http: new http.Agent({ ...agentOptions }), https: new https.Agent({ ...agentOptions }) },
};

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** A URL checked and turned into request options once: a worker calls the same few URLs thousands of times. */
type Parsed = { ok: true; options: http.RequestOptions; https: boolean; host: string } | { ok: false };
const parsed = new Map<string, Parsed>();

function parse(raw: string): Parsed {
  let p = parsed.get(raw);
  if (!p) {
    try {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      p = { ok: true, options: urlToHttpOptions(url), https: url.protocol === 'https:', host: url.hostname.replace(/^\[|\]$/g, '') };
    } catch {
      p = { ok: false };
    }
    if (parsed.size >= 1_000) parsed.clear();
    parsed.set(raw, p);
  }
  return p;
}

export function send(req: SendRequest): Promise<SendResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const requestHeaders: Record<string, string> = {
    'user-agent': USER_AGENT,
    ...req.headers,
    'content-length': String(Buffer.byteLength(req.body)),
  };
  const base = { startedAt, requestHeaders, status: null, ok: false, headers: {}, body: '', bodyTruncated: false };
  const failure = (errorKind: SendErrorKind, error: string): SendResult => ({
    ...base,
    durationMs: Math.round(performance.now() - t0),
    error,
    errorKind,
  });

  const url = parse(req.url);
  if (!url.ok) return Promise.resolve(failure('invalid_url', `The URL ${urlLabel(req.url)} is not a valid http(s) URL.`));
  const host = url.host;
  // An IP literal is connected to without a lookup, so it is checked here.
  if (!req.allowPrivate && net.isIP(host) && isPrivateAddress(host)) {
    return Promise.resolve(failure('private_target', new PrivateTargetError(host, host).message));
  }

  const capture = req.captureBytes ?? RESPONSE_CAPTURE_BYTES;
  const lib = url.https ? https : http;
  const pool = req.allowPrivate ? agents.open : agents.guarded;
  const agent = url.https ? pool.https : pool.http;

  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const request = lib.request({
      ...url.options,
      method: 'POST',
      headers: requestHeaders,
      agent,
      lookup: req.allowPrivate ? undefined : (guardedLookup as never),
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish(failure('timeout', `No complete answer within ${req.timeoutMs} ms (timeout).`));
    }, req.timeoutMs);
    const onAbort = () => {
      request.destroy();
      finish(failure('aborted', 'The call was cancelled.'));
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });

    request.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof PrivateTargetError || err.name === 'PrivateTargetError') {
        return finish(failure('private_target', err.message));
      }
      const code = err.code ? `${err.code}: ` : '';
      finish(failure('connection', `Connection failed (${code}${err.message}).`));
    });
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        const room = capture - kept;
        if (room > 0) {
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          chunks.push(part);
          kept += part.length;
        }
        if (chunk.length > room) truncated = true;
      });
      res.on('error', (err) => finish(failure('connection', `The answer was cut off (${err.message}).`)));
      res.on('aborted', () => finish(failure('connection', 'The answer was cut off (connection reset).')));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        finish({
          ...base,
          durationMs: Math.round(performance.now() - t0),
          status,
          ok: status >= 200 && status < 300,
          headers: flatHeaders(res.headers),
          body: Buffer.concat(chunks).toString('utf8'),
          bodyTruncated: truncated,
          error: null,
          errorKind: null,
        });
      });
    });
    request.end(req.body);
  });
}
