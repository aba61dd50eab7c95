// The process-wide database handle, opened once from the environment and cached on globalThis
// (route handlers, instrumentation and server actions are bundled apart but share the process).
import { env } from '../env';
import { openDb, type DbHandle } from './client';
import { migrate } from './migrate';

const KEY = Symbol.for('openedx-webhooks.db');
type Holder = { [KEY]?: Promise<DbHandle> };

/** The database handle for this process, migrated before first use. */
export function getDb(): Promise<DbHandle> {
  const g = globalThis as Holder;
  g[KEY] ??= (async () => {
    const e = env();
    const handle = await openDb({ databaseUrl: e.DATABASE_URL, dataDir: e.DATABASE_URL ? undefined : e.dataDir });
    await migrate(handle);
    return handle;
  })().catch((err) => {
    delete g[KEY];
    throw err;
  });
  return g[KEY];
}

/** Use a handle opened elsewhere (tests, the worker process). */
export function setDb(handle: DbHandle) {
  (globalThis as Holder)[KEY] = Promise.resolve(handle);
}

export { schema } from './schema-export';
export type { DbHandle, Db } from './client';
