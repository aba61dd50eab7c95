// Serves a fetch-style route handler from node:http (IncomingMessage → Request, Response → ServerResponse).
import type http from 'node:http';
import type { Socket } from 'node:net';

/**
 * An unread rest of a refused body (413, 415, 401…) up to this size is read and dropped after the answer, so
 * the kept-alive connection stays usable; a longer or unsized rest closes the connection instead.
 */
export const DRAIN_LIMIT_BYTES = 4 * 1024 * 1024;

const BAD_HOST = 'The Host header is not a valid host name.';

/** The request as a fetch Request, or null when its Host header cannot make a URL (answer with badRequest). */
export function toRequest(req: http.IncomingMessage): Request | null {
  if (!validHost(req)) return null;
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) headers.append(k, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method,
    headers,
    // Streamed, so the route's size limit stops reading an oversized body instead of buffering it.
    body: hasBody ? bodyStream(req) : undefined,
    duplex: 'half',
  } as RequestInit);
}

/** A Host header a URL can be built from ("exa mple" cannot; "a/b" or "a?b" would change the path or query). */
export function validHost(req: http.IncomingMessage): boolean {
  const host = req.headers.host ?? 'localhost';
  if (/[\s/?#@\\]/.test(host)) return false;
  try {
    new URL(`http://${host}${req.url ?? '/'}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The body as a web stream that reads only when asked. Unlike Readable.toWeb, cancelling it (the size limit)
 * leaves the socket alone: what is left of the body is dealt with once the answer is written.
 */
function bodyStream(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once('end', () => {
        if (!done) controller.close();
        done = true;
      });
      req.once('error', (err) => {
        if (!done) controller.error(err);
        done = true;
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      req.pause();
    },
  }, { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength });
}

export async function writeResponse(res: http.ServerResponse, response: Response, req?: http.IncomingMessage): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  headers['content-length'] = String(body.length);
  if (req) keepConnectionUsable(req, res);
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * Call before the answer's headers go out. An answer given before the body was read (an early refusal)
 * leaves the rest of the body on the connection, where it would be taken for the next request: drop a short
 * rest once answered (the connection stays open), or close the connection after a long one.
 */
export function keepConnectionUsable(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.complete || res.headersSent) return;
  // Content-Length is the most there is left to drop; a chunked body may go on for ever.
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (!(declared <= DRAIN_LIMIT_BYTES)) {
    res.shouldKeepAlive = false;
    // A request whose socket is already gone has nobody left to answer.
    if (req.socket) lingerOnClose(req.socket);
  }
  const drop = () => {
    req.removeAllListeners('data');
    req.on('data', () => {}).on('error', () => {});
    req.resume();
  };
  res.once('finish', drop);
}

/** Longest a closing connection keeps reading what the client still sends (see lingerOnClose). */
const LINGER_MS = 10_000;

/**
 * Closing a connection whose client is still sending makes the kernel reset it, and the reset can destroy
 * the answer before the client reads it (it sees EPIPE or ECONNRESET, not the 413). So, as web servers do,
 * the closing side only ends its half, keeps reading and dropping until the client closes its own (it has
 * the answer and `connection: close`), and gives up after LINGER_MS.
 */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function (this: Socket) {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('end', () => this.destroy());
    this.once('close', () => clearTimeout(timer));
  };
}

/** 400 for a request whose Host header makes no URL, written at once. */
export function badRequest(res: http.ServerResponse, req: http.IncomingMessage): void {
  const body = JSON.stringify({ error: BAD_HOST });
  keepConnectionUsable(req, res);
  res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** For answers written by others (Next.js): applies keepConnectionUsable just before their headers go out. */
export function closeOrDrainOnEarlyAnswer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: http.ServerResponse, ...args: Parameters<typeof writeHead>) {
    keepConnectionUsable(req, res);
    return writeHead.apply(this, args);
  } as typeof writeHead;
}
