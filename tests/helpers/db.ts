// Real databases for tests: in-memory PGlite, or a fresh database on the local PostgreSQL.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDb, type DbHandle } from '../../lib/db/client';
import { migrate } from '../../lib/db/migrate';

/** Admin URL of the test PostgreSQL server (any database; new ones are created beside it). */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function pgliteDb(): Promise<DbHandle> {
  const handle = await openDb({});
  await migrate(handle);
  return handle;
}

export interface TestPostgres {
  handle: DbHandle;
  url: string;
  drop(): Promise<void>;
}

/** Creates and migrates a new, empty PostgreSQL database; drop() closes and removes it. */
export async function freshPostgres(opts: { max?: number } = {}): Promise<TestPostgres> {
  const name = `oewh_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = await openDb({ databaseUrl: url.toString(), max: opts.max ?? 10 });
  await migrate(handle);
  return {
    handle,
    url: url.toString(),
    async drop() {
      await handle.close().catch(() => {});
      const a = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Both engines, for data-layer tests that must hold on each: describe.each(DB_KINDS). */
export const DB_KINDS = ['pglite', 'postgres'] as const;

export async function openTestDb(kind: (typeof DB_KINDS)[number]): Promise<{ handle: DbHandle; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const handle = await pgliteDb();
    return { handle, close: () => handle.close() };
  }
  const pg = await freshPostgres();
  return { handle: pg.handle, close: pg.drop };
}
