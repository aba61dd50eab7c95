// Invitations (SPEC §10): a link valid once and for 7 days (the clock is injected), a wrong token refused, the
// invitee created with the invited role and signed in with the password they chose; an Open edX sign-in uses
// a pending invitation of the same email, or lets LMS staff in only when OPENEDX_OAUTH_STAFF_ROLE says so.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirstAdmin, verifyCredentials } from '../../lib/auth/users';
import type { DbHandle } from '../../lib/db';
import { acceptInvitation, checkInvitation, createInvitation } from '../../lib/team/invitations';
import { admitOpenedx } from '../../lib/team/openedx-admit';
import { pgliteDb } from '../helpers/db';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

let handle: DbHandle;
let ownerCtx: Parameters<typeof createInvitation>[2];

async function invite(email: string, role = 'editor', now = T0) {
  const made = await createInvitation(handle, { email, role }, ownerCtx, { now });
  if (!made.ok) throw new Error(made.error);
  return made.value.token;
}

beforeAll(async () => {
  handle = await pgliteDb();
  const owner = (await createFirstAdmin(handle.db, { email: 'owner@example.org', password: 'owner password 123' }))!;
  ownerCtx = { actor: { type: 'user', id: owner.id, label: owner.email, role: 'owner' }, ip: '192.0.2.1' };
});
afterAll(() => handle.close());

describe('an invitation link', () => {
  it('works once: the invitee gets the invited role and signs in with the chosen password', async () => {
    const token = await invite('eve@example.org', 'editor');
    expect((await checkInvitation(handle.db, token, at(DAY))).ok).toBe(true);
    const used = await acceptInvitation(handle, token, { name: 'Eve', password: 'eve chose this 1' }, at(DAY));
    expect(used.ok).toBe(true);
    if (!used.ok) return;
    expect(used.user).toMatchObject({ email: 'eve@example.org', name: 'Eve', role: 'editor' });
    expect((await verifyCredentials(handle.db, 'eve@example.org', 'eve chose this 1'))?.id).toBe(used.user.id);
    const again = await acceptInvitation(handle, token, { password: 'another password 2' }, at(DAY));
    expect(again).toEqual({ ok: false, error: 'This invitation has already been used: sign in instead.' });
    expect(await verifyCredentials(handle.db, 'eve@example.org', 'another password 2')).toBeNull();
    const [entry] = await handle.rows<{ action: string; actor_id: string }>(sql`select action, actor_id from audit_log where action = 'invitation.accepted'`);
    expect(entry).toEqual({ action: 'invitation.accepted', actor_id: used.user.id });
  });

  it('used twice at once: one use wins, one user is created', async () => {
    const token = await invite('twice@example.org');
    const both = await Promise.all([1, 2].map((i) => acceptInvitation(handle, token, { password: `password number ${i}` }, at(DAY))));
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    const [n] = await handle.rows<{ n: number }>(sql`select count(*)::int as n from users where email = 'twice@example.org'`);
    expect(n!.n).toBe(1);
  });

  it('expires after 7 days', async () => {
    const token = await invite('late@example.org');
    expect((await checkInvitation(handle.db, token, at(7 * DAY - 1000))).ok).toBe(true);
    const late = await acceptInvitation(handle, token, { password: 'too late password' }, at(7 * DAY));
    expect(late).toEqual({ ok: false, error: 'This invitation has expired: ask an owner for a new one.' });
    expect(await verifyCredentials(handle.db, 'late@example.org', 'too late password')).toBeNull();
  });

  it('a wrong or malformed token is refused and creates nothing', async () => {
    const token = await invite('right@example.org');
    const wrong = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    for (const t of [wrong, 'oewi_short', '', 'nonsense', token + 'x']) {
      const r = await acceptInvitation(handle, t, { password: 'some password 1' }, at(DAY));
      expect(r).toEqual({ ok: false, error: 'This invitation link is not valid: check that it was copied whole.' });
    }
    const [n] = await handle.rows<{ n: number }>(sql`select count(*)::int as n from users where email = 'right@example.org'`);
    expect(n!.n).toBe(0);
  });

  it('is refused for someone already in the team, and for a bad email or role', async () => {
    for (const input of [{ email: 'owner@example.org' }, { email: 'OWNER@example.org' }]) {
      const r = await createInvitation(handle, input, ownerCtx);
      expect(r).toMatchObject({ ok: false, status: 409 });
    }
    expect(await createInvitation(handle, { email: 'nope' }, ownerCtx)).toMatchObject({ ok: false, status: 422 });
    expect(await createInvitation(handle, { email: 'a@b.org', role: 'admin' }, ownerCtx)).toMatchObject({ ok: false, status: 422 });
  });
});

describe('signing in with Open edX decides here who enters', () => {
  it('an invited email joins with the invited role, once', async () => {
    await invite('lms.user@example.org', 'viewer', new Date());
    const first = await admitOpenedx(handle, { username: 'lmsuser', email: 'lms.user@example.org', name: 'LMS User', staff: false }, undefined, null);
    expect(first.ok && first.user).toMatchObject({ role: 'viewer', openedxUsername: 'lmsuser', passwordHash: null });
    // The next time they are a member, found by email.
    const again = await admitOpenedx(handle, { username: 'lmsuser', email: 'LMS.User@example.org', name: '', staff: false }, undefined, null);
    expect(again.ok && again.user.id).toBe(first.ok && first.user.id);
  });

  it('an uninvited learner is refused; LMS staff enter only when OPENEDX_OAUTH_STAFF_ROLE names a role', async () => {
    expect(await admitOpenedx(handle, { username: 'learner', email: 'learner@example.org', name: '', staff: false }, 'viewer', null)).toEqual({ ok: false, reason: 'not_invited' });
    expect(await admitOpenedx(handle, { username: 'staff', email: 'staff@example.org', name: '', staff: true }, undefined, null)).toEqual({ ok: false, reason: 'not_invited' });
    const staff = await admitOpenedx(handle, { username: 'staff', email: 'staff@example.org', name: 'Staff', staff: true }, 'editor', null);
    expect(staff.ok && staff.user).toMatchObject({ email: 'staff@example.org', role: 'editor' });
    expect(await admitOpenedx(handle, { username: 'x', email: '', name: '', staff: true }, 'owner', null)).toEqual({ ok: false, reason: 'no_email' });
  });
});
