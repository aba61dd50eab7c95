// Outgoing HTTP/1.1 POSTs on kept-alive connections, one request per connection at a time. Written for the
// delivery worker's hot path: node:http's client spent more CPU per call than the rest of a delivery
// (request object, agent bookkeeping, streams, a dozen listeners per call); here a connection keeps its
// four listeners for life, a request is one write, and the answer is read by ResponseParser.
import net from 'node:net';
import tls from 'node:tls';
import { HTTP_TOKEN } from '../http-token';
import { ResponseParser, type ParsedResponse } from './http1-response';

export interface Origin {
  https: boolean;
  /** Name or address to connect to (an IPv6 address without brackets). */
  host: string;
  port: number;
  /** The Host header: host, and the port when it is not the scheme's default. */
  hostHeader: string;
}

export interface PostOptions {
  path: string;
  /** Header names and values, checked by the caller (see headerProblem). */
  headers: Record<string, string>;
  body: string;
  captureBytes: number;
  /** Resolves names for a new connection (the private-address guard); undefined: the system's. */
  lookup?: net.LookupFunction;
}

/** Why a call ended without an answer. `answered`: some of the answer had arrived. */
export class CallError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly answered: boolean,
    readonly cause?: unknown,
  ) {
    super(message);
  }
}

const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const NON_ASCII = /[^\x00-\x7f]/;

/** Why a header cannot be sent as given, or null. */
export function headerProblem(name: string, value: string): string | null {
  if (!HTTP_TOKEN.test(name)) return `The header name "${name}" is not a valid HTTP header name.`;
  if (BAD_VALUE.test(value)) return `The header ${name} has a character HTTP does not allow in its value.`;
  return null;
}

/** Idle connections kept per origin, and how long one is kept when the server gives no Keep-Alive hint. */
const MAX_IDLE = 64;
const IDLE_MS = 4_000;

interface Conn {
  socket: net.Socket;
  key: string;
  /** The call using it; null while idle. */
  call: Call | null;
  /** Requests it has carried. */
  used: number;
  idleSince: number;
  idleMs: number;
}

interface Call {
  parser: ResponseParser;
  done(err: CallError | null, res?: ParsedResponse): void;
}

const idle = new Map<string, Conn[]>();
let sweeper: NodeJS.Timeout | null = null;

function unpool(c: Conn) {
  const list = idle.get(c.key);
  const i = list ? list.indexOf(c) : -1;
  if (i >= 0) list!.splice(i, 1);
}

/** A connection whose server closed it or spoke out of turn while idle is dropped. */
function dropIdle(c: Conn) {
  unpool(c);
  c.socket.destroy();
}

/**
 * What plain connections read into: their bytes are handed to the parser straight from here (net's `onread`),
 * without a stream's push and 'data' event per read (14 against 20 µs of CPU per call in a bare loop). One
 * buffer serves them all: a read is handled before the next one is made, and the parser copies what it keeps.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

function connect(key: string, o: Origin, lookup: net.LookupFunction | undefined): Conn {
  const options = { host: o.host, port: o.port, lookup };
  let onData = (_data: Buffer) => {};
  const socket = o.https
    ? tls.connect({ ...options, servername: net.isIP(o.host) ? undefined : o.host, ALPNProtocols: ['http/1.1'] })
    : net.connect({ ...options, onread: { buffer: readBuffer, callback: (n, buf) => (onData(Buffer.from(buf.buffer, buf.byteOffset, n)), true) } });
  if (o.https) socket.on('data', (data: Buffer) => onData(data));
  socket.setNoDelay(true);
  const c: Conn = { socket, key, call: null, used: 0, idleSince: 0, idleMs: IDLE_MS };
  onData = (data: Buffer) => {
    const call = c.call;
    if (!call) return dropIdle(c);
    let res: ParsedResponse | null;
    try {
      res = call.parser.feed(data);
    } catch (err) {
      c.call = null;
      socket.destroy();
      return call.done(new CallError(`The answer is not valid HTTP: ${(err as Error).message}.`, 'INVALID_RESPONSE', true, err));
    }
    if (res) {
      c.call = null;
      // Answered before the request was all written (a refusal): the server is likely to close it.
      release(c, res.reusable && socket.writableLength === 0, res.headers['keep-alive']);
      call.done(null, res);
    }
  };
  socket.on('end', () => {
    const call = c.call;
    if (!call) return dropIdle(c);
    c.call = null;
    socket.destroy();
    const res = call.parser.end();
    if (res) return call.done(null, res);
    const answered = call.parser.received > 0;
    call.done(new CallError(answered ? 'connection closed' : 'the receiver closed the connection without answering', 'ECONNRESET', answered));
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    const call = c.call;
    if (!call) return dropIdle(c);
    c.call = null;
    call.done(new CallError(err.message, err.code, call.parser.received > 0, err));
  });
  socket.on('close', () => {
    unpool(c);
    const call = c.call;
    c.call = null;
    call?.done(new CallError('connection closed', 'ECONNRESET', call.parser.received > 0));
  });
  return c;
}

/** Back to the pool after an answer, for as long as the server's Keep-Alive hint (less a second) allows. */
function release(c: Conn, reusable: boolean, hint: string | undefined) {
  const seconds = hint ? /(?:^|,)\s*timeout=(\d+)/i.exec(hint)?.[1] : undefined;
  c.idleMs = seconds === undefined ? IDLE_MS : Math.min(IDLE_MS, Number(seconds) * 1000 - 1000);
  let list = idle.get(c.key);
  if (!reusable || c.idleMs <= 0 || c.socket.destroyed || (list && list.length >= MAX_IDLE)) return void c.socket.destroy();
  if (!list) idle.set(c.key, (list = []));
  c.idleSince = performance.now();
  c.socket.unref(); // an idle connection does not keep the process alive
  list.push(c);
  sweeper ??= setInterval(sweep, 1_000).unref();
}

/** Closes connections idle past their time (a server closing them itself is seen as it happens). */
function sweep() {
  const now = performance.now();
  for (const [key, list] of idle) {
    for (const c of list.filter((c) => now - c.idleSince > c.idleMs)) dropIdle(c);
    if (list.length === 0) idle.delete(key);
  }
  if (idle.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = null;
  }
}

function take(key: string): Conn | null {
  const list = idle.get(key);
  const now = performance.now();
  while (list?.length) {
    const c = list.pop()!; // the most recently used: the least likely to have been closed by the server
    if (!c.socket.destroyed && now - c.idleSince <= c.idleMs) {
      c.socket.ref();
      return c;
    }
    c.socket.destroy();
  }
  return null;
}

export interface Exchange {
  promise: Promise<ParsedResponse>;
  /** Ends the call now (timeout, cancel): its connection is closed. */
  abort(): void;
}

/**
 * POSTs on an idle connection to the origin, or a new one. A reused connection that the server had closed
 * meanwhile (it fails before a byte of answer) is replaced by a new one, once: the request had not reached
 * the receiver's application.
 */
export function post(o: Origin, pool: string, opts: PostOptions): Exchange {
  const key = `${pool}|${o.https ? 's' : ''}|${o.host}|${o.port}`;
  let head = `POST ${opts.path} HTTP/1.1\r\n`;
  let hasHost = false;
  for (const name in opts.headers) {
    if (!hasHost && name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
    head += `${name}: ${opts.headers[name]}\r\n`;
  }
  if (!hasHost) head = head.replace('\r\n', `\r\nhost: ${o.hostHeader}\r\n`);
  head += '\r\n';
  const message = NON_ASCII.test(head)
    ? Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(opts.body, 'utf8')])
    : head + opts.body;

  let conn: Conn | null = null;
  let settle!: (err: CallError | null, res?: ParsedResponse) => void;
  const promise = new Promise<ParsedResponse>((resolve, reject) => {
    settle = (err, res) => (err ? reject(err) : resolve(res!));
  });
  let over = false;
  const start = (c: Conn) => {
    conn = c;
    const retryable = c.used > 0;
    c.used++;
    c.call = {
      parser: new ResponseParser(opts.captureBytes),
      done(err, res) {
        if (over) return;
        if (err && retryable && !err.answered) return start(connect(key, o, opts.lookup));
        over = true;
        settle(err, res);
      },
    };
    c.socket.write(message);
  };
  start(take(key) ?? connect(key, o, opts.lookup));
  return {
    promise,
    abort() {
      if (over) return;
      over = true;
      if (conn) {
        conn.call = null;
        conn.socket.destroy();
      }
      settle(new CallError('the call was ended', 'ABORTED', false));
    },
  };
}
