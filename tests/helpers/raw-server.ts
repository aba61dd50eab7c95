// Raw TCP servers on loopback for the outgoing-client tests: each reads HTTP requests (head and Content-Length
// body) and lets the test's script answer byte by byte, however wrong the answer.
import net from 'node:net';
import { afterAll } from 'vitest';

export interface RawRequest {
  head: string;
  body: string;
  /** Requests on this connection before this one. */
  onConnection: number;
}
export type Script = (req: RawRequest, socket: net.Socket, index: number) => void;

export interface RawServer {
  url: string;
  port: number;
  requests: RawRequest[];
  connections: number;
  close(): Promise<void>;
}

const servers: RawServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** A TCP server that reads each HTTP request (head and Content-Length body) and lets the script answer. */
export async function rawServer(script: Script): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const state: RawServer = { url: '', port: 0, requests: [], connections: 0, close: async () => {} };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    state.connections++;
    let buf = Buffer.alloc(0);
    let onConnection = 0;
    socket.on('data', (data) => {
      buf = Buffer.concat([buf, data]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const req = { head, body: buf.toString('utf8', end + 4, end + 4 + length), onConnection: onConnection++ };
        buf = buf.subarray(end + 4 + length);
        state.requests.push(req);
        script(req, socket, state.requests.length - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as net.AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}/hook?x=1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  servers.push(state);
  return state;
}

/** Writes the parts with a pause between them, as a slow network would deliver them. */
export async function drip(socket: net.Socket, parts: (string | Buffer)[]) {
  for (const p of parts) {
    socket.write(p);
    await new Promise((r) => setTimeout(r, 5));
  }
}

