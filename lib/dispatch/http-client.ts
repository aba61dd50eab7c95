// Outgoing POSTs through undici (the client behind Node's own fetch): one Agent per guard mode, kept-alive
// connections per origin (undici honours a server's Keep-Alive hint), certificates verified by Node's store
// (NODE_EXTRA_CA_CERTS adds a private CA), and HTTP(S) proxies from HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
// The §7 guard: without a proxy, names are resolved by guardedLookup at connect time, so the address checked
// is the address connected to; through a proxy, the target is resolved and checked here before the proxy is
// asked for it (the proxy resolves it again, and reaches what it is allowed to).
import dns from 'node:dns';
import net from 'node:net';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { guardedLookup, isPrivateAddress, PrivateTargetError } from './address';
import type { Origin } from './http1';

export interface ClientResponse {
  status: number;
  /** Lower-case names; a name sent more than once has its values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

/** Why a call ended without an answer. `answered`: some of the answer had arrived. */
export class ClientError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly answered: boolean,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export interface ClientCall {
  promise: Promise<ClientResponse>;
  /** Ends the call now (timeout, cancel). */
  abort(): void;
}

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

// Idle connections are closed after 4 s unless the server's Keep-Alive hint is shorter (less 1 s, undici's
// threshold), as before; an idle socket is unref'd by undici and keeps no process alive.
const AGENT_OPTIONS = {
  keepAliveTimeout: 4_000,
  keepAliveMaxTimeout: 4_000,
  keepAliveTimeoutThreshold: 1_000,
  headersTimeout: 0,
  bodyTimeout: 0,
  // One request per connection at a time. undici reuses a connection one loop turn after its answer (a server
  // that closes it despite keep-alive is seen first, so no call fails on it); a call starting sooner takes
  // another connection of the pool.
  pipelining: 1,
};
const agents = {
  guarded: new Agent({ ...AGENT_OPTIONS, connect: { lookup: guardedLookup as never } }),
  open: new Agent(AGENT_OPTIONS),
};
const proxies = new Map<string, ProxyAgent>();

function proxyAgent(uri: string): ProxyAgent {
  let agent = proxies.get(uri);
  if (!agent) {
    // Plain-HTTP targets are forwarded (absolute-form requests), as most egress proxies expect; HTTPS ones
    // are tunnelled with CONNECT, and their certificates are verified end to end.
    agent = new ProxyAgent({ uri, proxyTunnel: false, ...AGENT_OPTIONS });
    proxies.set(uri, agent);
  }
  return agent;
}

/**
 * The proxy a target goes through, or null: HTTPS_PROXY for https, HTTP_PROXY for http, unless NO_PROXY
 * names the host (curl's rules: "*" for all, a name matches itself and its subdomains, a leading dot too,
 * host:port only that port; IP literals by equality).
 */
export function proxyFor(o: Pick<Origin, 'https' | 'host' | 'port'>, p: ProxySettings): string | null {
  const proxy = o.https ? p.httpsProxy : p.httpProxy;
  if (!proxy) return null;
  const host = o.host.toLowerCase();
  for (const raw of (p.noProxy ?? '').split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return null;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\](?=:|$)/g, ''))!;
    const name = m[1]!.replace(/^\*?\./, '');
    if (m[2] && Number(m[2]) !== o.port) continue;
    if (host === name || host.endsWith(`.${name}`)) return null;
  }
  return proxy;
}

/** Resolves a target handed to a proxy and refuses it when any of its addresses is private (§7). */
async function checkTarget(host: string): Promise<void> {
  if (net.isIP(host)) {
    if (isPrivateAddress(host)) throw new PrivateTargetError(host, host);
    return;
  }
  const addresses = await dns.promises.lookup(host, { all: true });
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw new PrivateTargetError(host, bad.address);
}

/** The raw header list as one object with a null prototype ("constructor: x" is just a header). */
function headerObject(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

export interface PostOptions {
  path: string;
  headers: Record<string, string>;
  body: string;
  captureBytes: number;
  /** Refuse private addresses (§7), at connect time or, through a proxy, before it. */
  guarded: boolean;
  /** The proxy to go through (see proxyFor), or null. */
  proxy: string | null;
}

export function post(o: Origin, opts: PostOptions): ClientCall {
  const origin = `${o.https ? 'https' : 'http'}://${o.hostHeader}`;
  let abortCall: ((err?: Error) => void) | null = null;
  let over = false;
  let fail!: (err: ClientError) => void;
  const promise = new Promise<ClientResponse>((resolve, reject) => {
    fail = (err) => {
      if (over) return;
      over = true;
      reject(err);
    };
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    let answered = false;
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abort) {
        if (over) return abort(new ClientError('the call was ended', 'ABORTED', false));
        abortCall = abort;
      },
      onHeaders(statusCode, rawHeaders) {
        answered = true;
        // An interim answer undici hands on (103 Early Hints) is not the answer.
        if (statusCode < 200) return true;
        status = statusCode;
        headers = headerObject(rawHeaders as unknown as Buffer[]);
        return true;
      },
      onData(chunk) {
        // Read to the end (the connection is reused), keeping the first captureBytes.
        if (kept < opts.captureBytes) {
          const room = opts.captureBytes - kept;
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          chunks.push(Buffer.from(part));
          kept += part.length;
          if (chunk.length > room) truncated = true;
        } else if (chunk.length) truncated = true;
        return true;
      },
      onComplete() {
        if (over) return;
        over = true;
        resolve({ status, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), truncated });
      },
      onError(err) {
        const e = err as NodeJS.ErrnoException;
        // undici's parser errors (HPE_…), a wrong Content-Length, oversized headers: the answer itself is wrong.
        const invalid =
          e.name === 'HTTPParserError' ||
          /^HPE_|^UND_ERR_(RES_CONTENT_LENGTH_MISMATCH|HEADERS_OVERFLOW|RES_EXCEEDED_MAX_SIZE)$/.test(e.code ?? '') ||
          (e.code === 'UND_ERR_SOCKET' && /^bad (response|upgrade)$/.test(e.message));
        if (invalid) {
          const why = e.message === 'bad upgrade' ? 'the receiver switches protocols (101), which a webhook call cannot do' : e.message.replace(/^bad response$/, 'an unexpected interim or malformed answer');
          return fail(new ClientError(`The answer is not valid HTTP: ${why}.`, 'INVALID_RESPONSE', true, e));
        }
        fail(new ClientError(e.message, e.code, answered, e));
      },
    };
    const request: Dispatcher.DispatchOptions = { origin, path: opts.path, method: 'POST', headers: opts.headers, body: opts.body };
    if (opts.proxy) {
      // Checked before the proxy is asked: it would resolve and reach private addresses on our behalf.
      const checked = opts.guarded ? checkTarget(o.host) : Promise.resolve();
      checked.then(
        () => void (over || proxyAgent(opts.proxy!).dispatch(request, handler)),
        (err: Error) => fail(new ClientError(err.message, (err as NodeJS.ErrnoException).code, false, err)),
      );
    } else {
      (opts.guarded ? agents.guarded : agents.open).dispatch(request, handler);
    }
  });
  return {
    promise,
    abort() {
      if (over) return;
      const abort = abortCall;
      fail(new ClientError('the call was ended', 'ABORTED', false));
      abort?.(new ClientError('the call was ended', 'ABORTED', false));
    },
  };
}
