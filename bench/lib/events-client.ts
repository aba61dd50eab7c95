// What the ingest benches share: bench/lib/events-server.ts started in its own process, and the request they
// load it with (one sample event, a fresh id each time, answered 202).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { LoadTarget } from './load';

/** events-server.ts in `mode` (app, app-worker, bare) on `databaseUrl`; resolves once it listens. */
export async function startEventsServer(
  databaseUrl: string,
  mode: string,
  flags: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', path.join(import.meta.dirname, 'events-server.ts'), mode], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, DATABASE_URL: databaseUrl, ALLOW_PRIVATE_TARGETS: '1' },
  });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  return { child, port };
}

/** POST /api/events of `eventType` with `data`, as the LMS sends it. */
export function eventsTarget(port: number, token: string, eventType: string, data: unknown): LoadTarget {
  return {
    url: `http://127.0.0.1:${port}/api/events`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: () => JSON.stringify({ event_type: eventType, data, metadata: { id: randomUUID(), source: 'openedx/lms/web' } }),
    expect: 202,
  };
}
