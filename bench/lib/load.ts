// HTTP load for the benchmarks: closed loop (N connections back to back: throughput) and open loop
// (a fixed rate, latency measured from the scheduled send time so a stall is not hidden).
import http from 'node:http';

export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
  body: () => string;
  /** Status that counts as success. */
  expect: number;
}

export interface LoadResult {
  ok: number;
  errors: number;
  seconds: number;
  latencies: number[];
  statuses: Record<number, number>;
}

function once(agent: http.Agent, t: LoadTarget): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(t.url, { method: 'POST', agent, headers: t.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(t.body());
  });
}

export async function closedLoop(t: LoadTarget, connections: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const r: LoadResult = { ok: 0, errors: 0, seconds, latencies: [], statuses: {} };
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        const status = await once(agent, t);
        r.latencies.push(performance.now() - start);
        r.statuses[status] = (r.statuses[status] ?? 0) + 1;
        if (status === t.expect) r.ok++;
        else r.errors++;
      }
    }),
  );
  r.seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return r;
}

export async function openLoop(t: LoadTarget, rate: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const r: LoadResult = { ok: 0, errors: 0, seconds, latencies: [], statuses: {} };
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = t0 + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((res) => setTimeout(res, wait));
    pending.push(
      once(agent, t).then((status) => {
        r.latencies.push(performance.now() - scheduled);
        r.statuses[status] = (r.statuses[status] ?? 0) + 1;
        if (status === t.expect) r.ok++;
        else r.errors++;
      }),
    );
  }
  await Promise.all(pending);
  r.seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return r;
}
