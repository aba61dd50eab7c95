// Upgrading a service that has admins (SPEC §10): the migration that adds roles makes every existing admin an
// owner, so nobody is locked out of users and keys. The database is first migrated without the team migration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../lib/db/client';
import { migrate, MIGRATIONS_FOLDER } from '../../lib/db/migrate';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oewh-upgrade-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('upgrading to roles', () => {
  it('existing admins become owners; their passwords and sessions tables are untouched', async () => {
    // The migrations as they were before the team's: the journal cut before the entry tagged "<n>_team".
    fs.cpSync(MIGRATIONS_FOLDER, tmp, { recursive: true });
    const journalFile = path.join(tmp, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((e) => /^\d+_team$/.test(e.tag));
    expect(at, 'the team migration is in the journal').toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, at);
    fs.writeFileSync(journalFile, JSON.stringify(journal));

    const handle = await openDb({});
    try {
      await migrate(handle, tmp);
      await handle.rows(sql`insert into users (email, name, password_hash) values ('a@example.org', 'A', 'scrypt$x'), ('b@example.org', 'B', 'scrypt$y')`);
      await migrate(handle);
      const rows = await handle.rows<{ email: string; role: string; password_hash: string }>(sql`select email, role, password_hash from users order by email`);
      expect(rows).toEqual([
        { email: 'a@example.org', role: 'owner', password_hash: 'scrypt$x' },
        { email: 'b@example.org', role: 'owner', password_hash: 'scrypt$y' },
      ]);
      const tables = await handle.rows<{ t: string }>(sql`select table_name as t from information_schema.tables where table_name in ('audit_log', 'invitations') order by 1`);
      expect(tables.map((r) => r.t)).toEqual(['audit_log', 'invitations']);
    } finally {
      await handle.close();
    }
  });
});
