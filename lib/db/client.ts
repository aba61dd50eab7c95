// The one database handle: embedded PGlite in DATA_DIR, or PostgreSQL through `postgres` when DATABASE_URL is set.
import fs from 'node:fs';
import path from 'node:path';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { EventEmitter } from 'node:events';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import * as schema from './schema';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The PostgreSQL URL (postgres only). */
  url?: string;
  /** Run a raw SQL statement and return its rows, whichever driver is underneath. */
  rows<T = Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Subscribe to a notification channel (LISTEN on PostgreSQL, in-process on PGlite). */
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  /** Notify listeners in this and (on PostgreSQL) every other process. */
  notify(channel: string, payload?: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… to use PostgreSQL. */
  databaseUrl?: string;
  /** Folder for the embedded database; undefined keeps it in memory (tests). */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  max?: number;
}

/** Rows of a raw execute() result: postgres-js gives an array, PGlite an object with rows. */
/** A PostgreSQL array literal of ids (uuid or bigint), for `= any(${pgArray(ids)}::uuid[])`: one parameter. */
export const pgArray = (ids: readonly (string | number)[]) => `{${ids.join(',')}}`;

export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

export async function openDb(opts: OpenOptions): Promise<DbHandle> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.max ?? 10);
  return openPglite(opts.dataDir);
}

async function openPostgres(url: string, max: number): Promise<DbHandle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const client = postgres(url, { max, onnotice: () => {}, idle_timeout: 60, connect_timeout: 10 });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    url,
    rows: async (query) => rowsOf(await db.execute(query)),
    listen: async (channel, fn) => {
      const sub = await client.listen(channel, (payload) => fn(payload));
      return () => sub.unlisten();
    },
    notify: async (channel, payload = '') => {
      await client.notify(channel, payload);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir?: string): Promise<DbHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  let client;
  let lock: DataDirLock | null = null;
  if (dataDir) {
    const dir = path.join(dataDir, 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    lock = lockDataDir(dataDir); // throws DataDirInUse while another process has this folder
    try {
      client = await PGlite.create(dir);
    } catch (err) {
      lock.release();
      throw err;
    }
  } else {
    client = await PGlite.create();
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  // One process owns an embedded database, so notifications stay in-process.
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return {
    db,
    kind: 'pglite',
    rows: async (query) => rowsOf(await db.execute(query)),
    listen: async (channel, fn) => {
      bus.on(channel, fn);
      return async () => void bus.off(channel, fn);
    },
    notify: async (channel, payload = '') => void bus.emit(channel, payload),
    close: async () => {
      await client.close();
      lock?.release();
    },
  };
}
