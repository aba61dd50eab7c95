// `npm run db:migrate`: applies the committed migrations in drizzle/ to DATABASE_URL, or to the embedded
// database in DATA_DIR (stop the server first: an embedded database has one process at a time).
import { EnvError, env } from '../lib/env';
import { openDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';

try {
  const e = env();
  const handle = await openDb({ databaseUrl: e.DATABASE_URL, dataDir: e.DATABASE_URL ? undefined : e.dataDir, max: 1 });
  await migrate(handle);
  await handle.close();
  console.log(`[openedx-webhooks] migrations applied to ${e.DATABASE_URL ? 'PostgreSQL' : `the embedded database in ${e.dataDir}`}`);
} catch (err) {
  console.error(`[openedx-webhooks] ${err instanceof EnvError ? err.message : `migration failed: ${String(err)}`}`);
  process.exit(1);
}
