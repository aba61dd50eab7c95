// `npm run db:migrate` applies the migrations to the embedded database and to PostgreSQL.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../lib/db/client';
import { PG_ADMIN_URL } from '../helpers/db';
import postgres from 'postgres';

const run = promisify(execFile);
const migrateCmd = (env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { env: { ...process.env, ...env, DATABASE_URL: env.DATABASE_URL ?? '' } });

async function tables(handle: Awaited<ReturnType<typeof openDb>>) {
  const rows = await handle.rows<{ n: number }>(sql`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
  return rows[0]!.n;
}

describe('npm run db:migrate', () => {
  it('migrates the embedded database in DATA_DIR', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oewh-migrate-'));
    try {
      const { stdout } = await migrateCmd({ DATA_DIR: dir });
      expect(stdout).toContain('migrations applied to the embedded database');
      const handle = await openDb({ dataDir: dir });
      expect(await tables(handle)).toBeGreaterThanOrEqual(7);
      await handle.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('migrates PostgreSQL', async () => {
    const name = `oewh_migrate_${Date.now().toString(36)}`;
    const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    try {
      const { stdout } = await migrateCmd({ DATABASE_URL: url.toString() });
      expect(stdout).toContain('migrations applied to PostgreSQL');
      const handle = await openDb({ databaseUrl: url.toString(), max: 1 });
      expect(await tables(handle)).toBeGreaterThanOrEqual(7);
      await handle.close();
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('stops with one line naming a bad variable', async () => {
    await expect(migrateCmd({ DATABASE_URL: 'mysql://nope' })).rejects.toMatchObject({
      stderr: expect.stringContaining('Invalid environment variable DATABASE_URL'),
    });
  });
});
