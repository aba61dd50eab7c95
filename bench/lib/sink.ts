// A webhook receiver in its own process that answers 200 at once and counts what it got, as a
// real receiver would be: it does not share the event loop of the process under test.
import { spawn, type ChildProcess } from 'node:child_process';

const SINK = `
const http = require('node:http');
let count = 0;
const report = process.env.SINK_REPORT === '1';
const delay = Number(process.env.SINK_DELAY_MS || 0);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    count++;
    if (report) process.send({ at: performance.timeOrigin + performance.now(), id: req.headers['webhook-id'] });
    const answer = () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => { if (m === 'count') process.send({ count }); });
`;

export interface Sink {
  url: string;
  child: ChildProcess;
  count(): Promise<number>;
  close(): void;
}

/**
 * report: the sink posts {at, id} to the parent for every call (arrival time on the shared clock);
 * delayMs: it answers that long after the request arrived (a slow receiver).
 */
export async function startSink(opts: { report?: boolean; delayMs?: number } = {}): Promise<Sink> {
  const child = spawn(process.execPath, ['-e', SINK], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, SINK_REPORT: opts.report ? '1' : '0', SINK_DELAY_MS: String(opts.delayMs ?? 0) },
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}/hook`,
    child,
    count: () =>
      new Promise((resolve) => {
        const on = (m: unknown) => {
          if (m && typeof m === 'object' && 'count' in m) {
            child.off('message', on);
            resolve((m as { count: number }).count);
          }
        };
        child.on('message', on);
        child.send('count');
      }),
    close: () => void child.kill(),
  };
}
