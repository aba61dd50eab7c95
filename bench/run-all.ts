// `npm run bench`: every benchmark in turn, each printing its own table (PostgreSQL on 127.0.0.1:5432).
import { spawnSync } from 'node:child_process';

const benches = ['events-ingest.ts', 'events-in-flight.ts', 'events-delivery.ts', 'transform-delivery.ts', 'filters-latency.ts', 'deliveries-list.ts'];
const only = process.argv.slice(2);
for (const file of benches.filter((b) => only.length === 0 || only.some((o) => b.includes(o)))) {
  console.log(`\n=== bench/${file}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
