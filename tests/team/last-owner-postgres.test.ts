// The last-owner rule under real concurrency (PostgreSQL): owners demoting and removing each other all at once
// never leave the team without an owner, and every refusal says why.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRole, createUser, removeUser } from '../../lib/team/users';
import { freshPostgres, type TestPostgres } from '../helpers/db';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await freshPostgres({ max: 8 });
});
afterAll(() => pg?.drop());

const owners = async () => (await pg.handle.rows<{ n: number }>(sql`select count(*)::int as n from users where role = 'owner'`))[0]!.n;

describe('the last owner on PostgreSQL', () => {
  it('six owners demoting or removing each other at once: exactly one owner is left', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const made = await createUser(pg.handle, { email: `owner${i}@example.org`, role: 'owner', password: 'a password of ten' });
      if (!made.ok) throw new Error(made.error);
      ids.push(made.value.id);
    }
    const results = await Promise.all(
      ids.map((id, i) => (i % 2 ? removeUser(pg.handle, id) : changeRole(pg.handle, id, { role: 'editor' }))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    const refused = results.filter((r) => !r.ok);
    expect(refused).toEqual([{ ok: false, status: 409, error: 'This is the last owner: make someone else an owner first.' }]);
    expect(await owners()).toBe(1);
  });
});
