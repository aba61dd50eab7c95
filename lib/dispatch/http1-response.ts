// Reads one HTTP/1.1 response from a connection's bytes (RFC 9112): status line and headers, then the body as
// its framing says (Content-Length, chunked, or until the connection closes). Strict where a mistake would
// misframe the next response on a kept-alive connection: anything ambiguous is an error and the connection
// is not reused.
import { HTTP_TOKEN } from '../http-token';

/** The answer is not HTTP/1.1 as a client can read it safely. */
export class InvalidResponseError extends Error {
  override name = 'InvalidResponseError';
}

/** Longest status line and headers taken (Node's own default). */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_LINE_BYTES = 8 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: |$)/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/;
const EMPTY = Buffer.alloc(0);

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

export interface ParsedResponse {
  status: number;
  /** Lower-case names; a name sent more than once has its values joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** The body was longer than the capture; the rest was read and dropped. */
  truncated: boolean;
  /** The connection may carry another request. */
  reusable: boolean;
}

export class ResponseParser {
  private phase: Phase = 'head';
  private pending: Buffer = EMPTY;
  private status = 0;
  private headers: Record<string, string> = {};
  private keepAlive = false;
  private remaining = 0;
  private chunks: Buffer[] = [];
  private kept = 0;
  private truncated = false;
  /** Bytes of the answer seen so far (0: the connection said nothing yet). */
  received = 0;

  constructor(private readonly capture: number) {}

  /**
   * Takes bytes from the connection; returns the response once it is complete. `data` may be reused by the
   * caller once this returns: what is kept is copied.
   */
  feed(data: Buffer): ParsedResponse | null {
    this.received += data.length;
    let buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    this.pending = EMPTY;
    while (buf.length && this.phase !== 'done') {
      switch (this.phase) {
        case 'head': {
          const end = headEnd(buf);
          if (end < 0) {
            if (buf.length > MAX_HEAD_BYTES) throw new InvalidResponseError('its headers are larger than 16 KiB');
            this.pending = Buffer.from(buf);
            return null;
          }
          if (end > MAX_HEAD_BYTES) throw new InvalidResponseError('its headers are larger than 16 KiB');
          const head = buf.toString('latin1', 0, end).replace(/\r?\n\r?\n$/, '');
          buf = buf.subarray(end);
          this.readHead(head);
          break;
        }
        case 'length':
          buf = this.take(buf);
          if (this.remaining === 0) this.phase = 'done';
          break;
        case 'chunk-size':
        case 'chunk-end':
        case 'trailers': {
          const nl = buf.indexOf(10);
          if (nl < 0) {
            if (buf.length > MAX_LINE_BYTES) throw new InvalidResponseError('a chunk line is too long');
            this.pending = Buffer.from(buf);
            return null;
          }
          const line = buf.toString('latin1', 0, nl).replace(/\r$/, '');
          buf = buf.subarray(nl + 1);
          this.chunkLine(line);
          break;
        }
        case 'chunk-data':
          buf = this.take(buf);
          if (this.remaining === 0) this.phase = 'chunk-end';
          break;
        case 'close':
          this.keep(buf);
          buf = EMPTY;
          break;
      }
    }
    if (this.phase !== 'done') return null;
    // Bytes after the answer on a connection that carries one request at a time: not to be trusted with the next.
    return this.result(this.keepAlive && buf.length === 0);
  }

  /** The connection closed: the response if that is how its body ends, else null (it was cut off). */
  end(): ParsedResponse | null {
    return this.phase === 'close' ? this.result(false) : null;
  }

  private result(reusable: boolean): ParsedResponse {
    this.phase = 'done';
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    return { status: this.status, headers: this.headers, body, truncated: this.truncated, reusable };
  }

  /** Body bytes up to `remaining` (a Content-Length or a chunk): kept, counted off; returns what follows. */
  private take(buf: Buffer): Buffer {
    const n = Math.min(this.remaining, buf.length);
    this.keep(buf.subarray(0, n));
    this.remaining -= n;
    return buf.subarray(n);
  }

  private keep(part: Buffer) {
    const room = this.capture - this.kept;
    if (part.length > room) this.truncated = true;
    if (room <= 0 || part.length === 0) return;
    const kept = Buffer.from(part.length > room ? part.subarray(0, room) : part);
    this.chunks.push(kept);
    this.kept += kept.length;
  }

  private readHead(head: string) {
    const lines = head.split(/\r?\n/);
    const m = STATUS_LINE.exec(lines[0]!);
    if (!m) throw new InvalidResponseError(`it does not start with an HTTP/1.x status line`);
    const status = Number(m[2]);
    // No prototype: a header named "constructor" or "__proto__" is a header like any other.
    const headers: Record<string, string> = Object.create(null);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!HTTP_TOKEN.test(name)) throw new InvalidResponseError(`a header line is malformed`);
      const key = name.toLowerCase();
      const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
      headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
    }
    // An interim answer (100 Continue, 103 Early Hints): the final one follows.
    if (status < 200) {
      if (status === 101) throw new InvalidResponseError('it switches protocols, which was not asked for');
      return;
    }
    this.status = status;
    this.headers = headers;
    const connection = (headers.connection ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' ? !/(?:^|,)\s*close\s*(?:,|$)/.test(connection) : /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection);
    this.frame(headers);
  }

  /** How the body ends (RFC 9112 §6.3). */
  private frame(headers: Record<string, string>) {
    if (this.status === 204 || this.status === 304) return void (this.phase = 'done');
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (te !== undefined) {
      const codings = te.toLowerCase().split(',').map((s) => s.trim());
      // With both, Transfer-Encoding wins and the connection must not be reused.
      if (cl !== undefined) this.keepAlive = false;
      if (codings.at(-1) === 'chunked') return void (this.phase = 'chunk-size');
      this.keepAlive = false;
      return void (this.phase = 'close');
    }
    if (cl !== undefined) {
      const values = new Set(cl.split(',').map((s) => s.trim()));
      const [only] = values;
      if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) throw new InvalidResponseError('its Content-Length is not one number');
      this.remaining = Number(only);
      this.phase = this.remaining === 0 ? 'done' : 'length';
      return;
    }
    this.keepAlive = false;
    this.phase = 'close';
  }

  private chunkLine(line: string) {
    if (this.phase === 'chunk-end') {
      if (line !== '') throw new InvalidResponseError('a chunk is longer than its size');
      this.phase = 'chunk-size';
    } else if (this.phase === 'chunk-size') {
      const m = CHUNK_SIZE.exec(line);
      if (!m) throw new InvalidResponseError('a chunk size is not a hexadecimal number');
      this.remaining = parseInt(m[1]!, 16);
      this.phase = this.remaining === 0 ? 'trailers' : 'chunk-data';
    } else if (line === '') {
      this.phase = 'done'; // the end of the trailers
    }
  }
}

/** Offset just past the blank line that ends the head, or -1. */
function headEnd(buf: Buffer): number {
  for (let i = buf.indexOf(10); i >= 0 && i < buf.length - 1; i = buf.indexOf(10, i + 1)) {
    if (buf[i + 1] === 10) return i + 2;
    if (buf[i + 1] === 13 && buf[i + 2] === 10) return i + 3;
  }
  return -1;
}
