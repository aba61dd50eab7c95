// Production server: Next.js serves the admin app and the management API, while the two LMS hot paths
// (POST /api/events and POST /api/filters) go straight to their route handlers. The handlers are the same
// modules Next.js serves; skipping its router saves ~1.5 ms of CPU per call, which is most of an event's cost.
import http from 'node:http';
import next from 'next';
import { applyTrustProxy } from './lib/auth/trust-proxy';
import { badRequest, closeOrDrainOnEarlyAnswer, keepConnectionUsable, toRequest, validHost, writeResponse } from './lib/http/node-adapter';

const port = Number(process.env.PORT || 3000);
// `-H 127.0.0.1` binds one address (tests); by default every interface, like `next start`.
const hIndex = process.argv.indexOf('-H');
const hostname = hIndex > 0 ? process.argv[hIndex + 1] : undefined;
const app = next({ dev: false, port, hostname });
const handle = app.getRequestHandler();

await app.prepare();
// Env check, migrations, bootstrap admin and key, inline worker: shared with instrumentation, run once, and
// finished before the first request is accepted.
await (await import('./lib/startup')).startServerOrExit();

// Imported after prepare(): the handlers use next/server, which needs the runtime Next.js sets up.
const hot: Record<string, (req: Request, ctx: unknown) => Promise<Response>> = {
  '/api/events': (await import('./app/api/events/route')).POST,
  '/api/filters': (await import('./app/api/filters/route')).POST,
};

const server = http.createServer((req, res) => {
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
      console.error(`[api] POST ${req.url} failed:`, err);
      keepConnectionUsable(req, res);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'The service failed to handle this request; the error has been logged.' }));
    });
});
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => console.log(`[openedx-webhooks] listening on http://${hostname ?? 'localhost'}:${port}`));
