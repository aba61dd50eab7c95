// Production server: Next.js serves the admin app and the management API, while the two LMS hot paths
// (POST /api/events and POST /api/filters) go straight to their route handlers. The handlers are the same
// modules Next.js serves; skipping its router saves ~1.5 ms of CPU per call, which is most of an event's cost.
// Every request gets an x-request-id and one log line; SIGTERM and SIGINT stop it cleanly (see shutdown).
import http from 'node:http';
import next from 'next';
import { applyTrustProxy } from './lib/auth/trust-proxy';
import { badRequest, closeOrDrainOnEarlyAnswer, keepConnectionUsable, toRequest, validHost, writeResponse } from './lib/http/node-adapter';
import { loggedPath } from './lib/http/logged-path';
import { REQUEST_ID_HEADER, requestIdFor } from './lib/http/request-id';
import { exitAfterLogs, logger } from './lib/log';

// This process handles its signals here; the start-up must not add its own (lib/startup.ts).
(globalThis as Record<symbol, unknown>)[Symbol.for('openedx-webhooks.owns-signals')] = true;

const port = Number(process.env.PORT || 3000);
// `-H 127.0.0.1` binds one address (tests); by default every interface, like `next start`.
const hIndex = process.argv.indexOf('-H');
const hostname = hIndex > 0 ? process.argv[hIndex + 1] : undefined;
const app = next({ dev: false, port, hostname });
const handle = app.getRequestHandler();

await app.prepare();
// Env check, migrations, bootstrap admin and key, inline worker: shared with instrumentation, run once, and
// finished before the first request is accepted.
const startup = await import('./lib/startup');
await startup.startServerOrExit();
const { env } = await import('./lib/env');

// Imported after prepare(): the handlers use next/server, which needs the runtime Next.js sets up.
const hot: Record<string, (req: Request, ctx: unknown) => Promise<Response>> = {
  '/api/events': (await import('./app/api/events/route')).POST,
  '/api/filters': (await import('./app/api/filters/route')).POST,
};

const log = logger();
let inFlight = 0;
let stopping = false;
let drained: (() => void) | null = null;

/** The request id, the x-request-id header and one log line when the answer is over (or the client left). */
function track(req: http.IncomingMessage, res: http.ServerResponse): void {
  const started = performance.now();
  const id = requestIdFor(req.headers[REQUEST_ID_HEADER]);
  req.headers[REQUEST_ID_HEADER] = id; // the route handlers read it from here
  res.setHeader(REQUEST_ID_HEADER, id);
  if (stopping) res.setHeader('connection', 'close');
  inFlight++;
  let over = false;
  const end = () => {
    if (over) return;
    over = true;
    inFlight--;
    const path = loggedPath(req.url);
    const fields = { req_id: id, method: req.method, path, status: res.statusCode, duration_ms: Math.round((performance.now() - started) * 10) / 10 };
    log.info(res.writableFinished ? fields : { ...fields, aborted: true }, 'request');
    if (inFlight === 0) drained?.();
  };
  res.once('finish', end);
  res.once('close', end);
}

const server = http.createServer((req, res) => {
  track(req, res);
  // A Host header no URL can be made of: answered here, before anything builds a Request from it.
  if (!validHost(req)) return badRequest(res, req);
  // X-Forwarded-For/-Host/-Proto only from a proxy TRUST_PROXY names; afterwards X-Forwarded-For is the client.
  applyTrustProxy(req);
  const route = req.method === 'POST' ? hot[req.url ?? ''] : undefined;
  if (!route) {
    // Next.js's answers too: a refusal given before the body was read must not leave the rest on the connection.
    closeOrDrainOnEarlyAnswer(req, res);
    return void handle(req, res);
  }
  Promise.resolve()
    .then(() => route(toRequest(req)!, undefined))
    .then((response) => writeResponse(res, response, req))
    .catch((err) => {
      log.error({ err, req_id: req.headers[REQUEST_ID_HEADER], method: 'POST', path: loggedPath(req.url) }, 'request failed');
      keepConnectionUsable(req, res);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'The service failed to handle this request; the error has been logged.' }));
    });
});
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => log.info({ port, hostname: hostname ?? null }, `listening on http://${hostname ?? 'localhost'}:${port}`));

/**
 * SIGTERM (a container stopping, also as PID 1) or SIGINT: take no new connections, let the requests and
 * delivery attempts in flight finish and store their outcomes, then exit 0. Past SHUTDOWN_TIMEOUT_MS the
 * process exits anyway; deliveries still leased are taken again after their lease (at least once).
 */
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) {
    log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  const timeoutMs = env().SHUTDOWN_TIMEOUT_MS;
  log.info({ signal, requests_in_flight: inFlight, timeout_ms: timeoutMs }, 'stopping: finishing requests and deliveries in flight');
  setTimeout(() => {
    log.warn({ requests_in_flight: inFlight, timeout_ms: timeoutMs }, 'SHUTDOWN_TIMEOUT_MS passed: exiting with work unfinished');
    void exitAfterLogs(0, 200);
  }, timeoutMs).unref();
  server.close();
  server.closeIdleConnections();
  const requests = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
  // The worker stops claiming at once; its calls in flight end and are stored meanwhile.
  await Promise.all([requests, startup.stopWorker()]);
  await startup.flushAfterAnswers();
  const { getDb } = await import('./lib/db');
  await (await getDb()).close().catch(() => {});
  log.info('stopped');
  await exitAfterLogs(0);
}
process.on('SIGTERM', (s) => void shutdown(s));
process.on('SIGINT', (s) => void shutdown(s));
