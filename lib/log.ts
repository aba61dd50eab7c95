// Structured logs (SPEC §11): JSON lines on stdout (pino), readable lines in a terminal, level from LOG_LEVEL.
// One logger per process, kept on globalThis: server.ts and the modules Next.js bundles share it.
// What is logged is chosen field by field: never a header value, a body, a secret or a query string.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { env } from './env';

export type { Logger };

const KEY = Symbol.for('openedx-webhooks.logger');
type Global = { [KEY]?: Logger };

function level(): string {
  try {
    return env().LOG_LEVEL;
  } catch {
    return 'info'; // a bad environment is reported by the start-up itself
  }
}

/** Errors as type, message and code: a driver's error object may carry query parameters (secrets). */
function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { type: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}), stack: err.stack };
}

function create(stream?: NodeJS.WritableStream, atLevel = level()): Logger {
  const options: pino.LoggerOptions = {
    level: atLevel,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    serializers: { err: errorFields },
    // A second line of defence: these names never hold something to print.
    redact: { paths: ['authorization', 'secret', 'token', 'password', 'headers', '*.authorization', '*.secret', '*.token', '*.password', '*.headers'], censor: '[redacted]' },
  };
  if (stream) return pino(options, stream);
  if (process.stdout.isTTY) {
    return pino(options, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino(options, batchedStdout());
}

/**
 * stdout, written asynchronously in writes of 8 KiB or every 100 ms, whichever comes first: a worker logging
 * thousands of attempts a second makes a few writes a second, not one per line (each a system call that
 * wakes whatever reads the logs). The lines are gathered here and handed to sonic-boom (which writes them,
 * partial writes and EAGAIN included) 8 KiB at a time: its own minLength re-measured the whole pending text
 * on every line (5 against 3.5 µs of CPU a line). What is left is written synchronously when the process exits.
 */
function batchedStdout() {
  const sonic = pino.destination({ dest: 1, sync: false });
  let lines: string[] = [];
  let length = 0;
  const hand = () => {
    if (lines.length === 0) return;
    sonic.write(lines.length === 1 ? lines[0]! : lines.join(''));
    lines = [];
    length = 0;
  };
  const stream = {
    write(line: string) {
      lines.push(line);
      length += line.length;
      if (length >= 8 * 1024) hand();
      return true;
    },
    flush(cb?: (err?: Error) => void) {
      hand();
      sonic.flush(cb);
    },
    flushSync() {
      hand();
      sonic.flushSync();
    },
  };
  setInterval(hand, 100).unref();
  process.on('exit', () => {
    try {
      stream.flushSync();
    } catch {
      // nothing more can be done at exit
    }
  });
  return stream;
}

/**
 * Exits once every line logged so far is written (waiting at most `timeoutMs`): an asynchronous write still
 * in flight at process.exit() is lost, which pino's own flush at exit cannot help.
 */
export async function exitAfterLogs(code: number, timeoutMs = 1_000): Promise<never> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      logger().flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
  process.exit(code);
}

/** The process's logger. */
export function logger(): Logger {
  const g = globalThis as Global;
  return (g[KEY] ??= create());
}

const plain = new WeakMap<Logger, Logger>();

/**
 * The process's logger without the key redaction, for lines written often whose keys are fixed by the code
 * and none of them a redacted name (the delivery attempt line): redaction could not change them, and it
 * costs two thirds of such a line (pino's wildcard paths walk every field).
 */
export function fixedKeysLogger(): Logger {
  const base = logger();
  let child = plain.get(base);
  if (!child) plain.set(base, (child = base.child({}, { redact: [] })));
  return child;
}

/** For tests: send every later line to an array of parsed objects; returns them and a restore function. */
export function captureLogs(): { lines: Record<string, unknown>[]; text: () => string; restore: () => void } {
  const g = globalThis as Global;
  const before = g[KEY];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      done();
    },
  });
  g[KEY] = create(sink, level() === 'silent' ? 'info' : level());
  const lines: Record<string, unknown>[] = [];
  return {
    get lines() {
      lines.length = 0;
      for (const l of raw.join('').split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      return lines;
    },
    text: () => raw.join(''),
    restore: () => {
      g[KEY] = before;
    },
  };
}
