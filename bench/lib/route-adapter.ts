// Serves a Next.js route handler from a plain node:http server, for benchmarks that must not run
// `next build` (Next.js's own routing and middleware are not included). Uses the same adapter as server.ts.
import http from 'node:http';
import { badRequest, toRequest, writeResponse } from '../../lib/http/node-adapter';

type RouteHandler = (req: Request, ctx: undefined) => Promise<Response>;

export async function serveRoute(handler: RouteHandler, port = 0): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const request = toRequest(req);
    if (!request) return badRequest(res, req);
    handler(request, undefined)
      .then((response) => writeResponse(res, response, req))
      .catch((err) => {
        console.error(err);
        res.writeHead(500).end();
      });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}
