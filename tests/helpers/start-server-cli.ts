// The built app for tests outside Node (the Open edX relay's pytest): starts it with startServer, prints one JSON
// line {"url","port","dataDir","pid"}, then obeys lines on stdin: "stop" (SIGTERM, data kept) and "start" (the
// same port and data again), each answered by a JSON line. Stops the server and exits when stdin closes.
// Env: INITIAL_API_KEY (required), any other variable passes through to the app.
import readline from 'node:readline';
import { startServer } from './server';

async function main() {
  const key = process.env.INITIAL_API_KEY;
  if (!key) throw new Error('Set INITIAL_API_KEY: the key the tests call the service with.');
  const server = await startServer({ env: { INITIAL_API_KEY: key, ALLOW_PRIVATE_TARGETS: '1' } });
  const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  say({ url: server.url, port: server.port, dataDir: server.dataDir, pid: server.pid });

  let chain: Promise<unknown> = Promise.resolve();
  let closing = false;
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const cmd = line.trim();
    chain = chain.then(async () => {
      try {
        if (cmd === 'stop') await server.kill('SIGTERM');
        else if (cmd === 'start') await server.restart();
        else if (cmd === 'output') return say({ cmd, output: server.output().slice(-8000) });
        else return say({ cmd, error: `unknown command "${cmd}"` });
        say({ cmd, ok: true, pid: server.pid });
      } catch (err) {
        say({ cmd, error: String(err) });
      }
    });
  });
  lines.on('close', () => {
    if (closing) return;
    closing = true;
    void chain.then(() => server.stop()).finally(() => process.exit(0));
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => lines.close());
}

main().catch((err) => {
  process.stdout.write(`${JSON.stringify({ error: String(err?.stack ?? err) })}\n`);
  process.exit(1);
});
