// Invitations (SPEC §10): a link valid once and for 7 days (the clock is injected), a wrong token refused, the
// invitee created with the invited role and signed in with the password they chose; an Open edX sign-in uses
// a pending invitation of the same email, or lets LMS staff in only when OPENEDX_OAUTH_STAFF_ROLE says so.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirstAdmin, verifyCredentials } from '../../lib/auth/users';
import type { DbHandle } from '../../lib/db';
import { acceptInvitation, checkInvitation, createInvitation } from '../../lib/team/invitations';
import { admitOpenedx } from '../../lib/team/openedx-admit';
import { removeUser } from '../../lib/team/users';
import type { OpenedxProfile } from '../../lib/auth/openedx';
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
  const lms = (over: Partial<OpenedxProfile>): OpenedxProfile => ({ username: 'u', email: '', name: '', staff: false, emailVerified: true, ...over });
  const at = { ip: '192.0.2.9' };

  it('an invitation is claimed only through its token, once; then the LMS username is how they sign in', async () => {
    const token = await invite('lms.user@example.org', 'viewer', new Date());
    // The email of a pending invitation is no key: without the token, refused.
    const without = await admitOpenedx(handle, lms({ username: 'lmsuser', email: 'lms.user@example.org' }), { ...at, staffRole: undefined });
    expect(without).toEqual({ ok: false, reason: 'not_invited' });
    const first = await admitOpenedx(handle, lms({ username: 'lmsuser', email: 'other@lms.example.org', name: 'LMS User' }), { ...at, invitationToken: token });
    expect(first.ok && first.user).toMatchObject({ email: 'lms.user@example.org', role: 'viewer', openedxUsername: 'lmsuser', passwordHash: null });
    const again = await admitOpenedx(handle, lms({ username: 'lmsuser', email: 'changed@lms.example.org' }), at);
    expect(again.ok && again.user.id).toBe(first.ok && first.user.id);
    expect(await admitOpenedx(handle, lms({ username: 'someone' }), { ...at, invitationToken: token })).toMatchObject({ ok: false, reason: 'invitation' });
  });

  it("never takes over a member by email: unverified, or verified but not linked, is refused and relinks nothing", async () => {
    const owner = (await handle.rows<{ id: string; openedx_username: string | null }>(sql`select id, openedx_username from users where email = 'owner@example.org'`))[0]!;
    expect(await admitOpenedx(handle, lms({ username: 'mallory', email: 'Owner@Example.com', emailVerified: false }), { ...at, staffRole: 'owner' })).toMatchObject({ ok: false });
    expect(await admitOpenedx(handle, lms({ username: 'mallory', email: 'OWNER@example.org', emailVerified: false, staff: true }), { ...at, staffRole: 'owner' })).toEqual({ ok: false, reason: 'unverified' });
    expect(await admitOpenedx(handle, lms({ username: 'mallory2', email: 'owner@example.org', staff: true }), { ...at, staffRole: 'owner' })).toEqual({ ok: false, reason: 'not_linked' });
    const after = (await handle.rows<{ openedx_username: string | null }>(sql`select openedx_username from users where id = ${owner.id}`))[0]!;
    expect(after.openedx_username).toBe(owner.openedx_username);
    const [{ n }] = (await handle.rows<{ n: number }>(sql`select count(*)::int as n from audit_log where action = 'user.openedx_linked'`)) as [{ n: number }];
    expect(n).toBe(0);
  });

  it("links an LMS identity from the member's own session, once, audited; another member cannot take it", async () => {
    const owner = (await handle.rows<{ id: string }>(sql`select id from users where email = 'owner@example.org'`))[0]!;
    const linked = await admitOpenedx(handle, lms({ username: 'the-owner', email: 'someone-else@lms.example.org', emailVerified: false }), { ...at, linkUserId: owner.id });
    expect(linked.ok && linked.user).toMatchObject({ id: owner.id, openedxUsername: 'the-owner' });
    const entries = await handle.rows<{ changes: unknown; ip: string }>(sql`select changes, ip from audit_log where action = 'user.openedx_linked'`);
    expect(entries).toEqual([{ changes: { openedx_username: { before: null, after: 'the-owner' } }, ip: '192.0.2.9' }]);
    const signIn = await admitOpenedx(handle, lms({ username: 'the-owner' }), at);
    expect(signIn.ok && signIn.user.id).toBe(owner.id);
    const viewer = (await handle.rows<{ id: string }>(sql`select id from users where email = 'lms.user@example.org'`))[0]!;
    expect(await admitOpenedx(handle, lms({ username: 'the-owner' }), { ...at, linkUserId: viewer.id })).toEqual({ ok: false, reason: 'linked_elsewhere' });
  });

  it('an uninvited learner is refused; verified LMS staff enter only when OPENEDX_OAUTH_STAFF_ROLE names a role', async () => {
    expect(await admitOpenedx(handle, lms({ username: 'learner', email: 'learner@example.org' }), { ...at, staffRole: 'viewer' })).toEqual({ ok: false, reason: 'not_invited' });
    expect(await admitOpenedx(handle, lms({ username: 'staff', email: 'staff@example.org', staff: true }), at)).toEqual({ ok: false, reason: 'not_invited' });
    expect(await admitOpenedx(handle, lms({ username: 'staff', email: 'staff@example.org', staff: true, emailVerified: false }), { ...at, staffRole: 'editor' })).toEqual({ ok: false, reason: 'unverified' });
    const staff = await admitOpenedx(handle, lms({ username: 'staff', email: 'staff@example.org', name: 'Staff', staff: true }), { ...at, staffRole: 'editor' });
    expect(staff.ok && staff.user).toMatchObject({ email: 'staff@example.org', role: 'editor' });
    expect(await admitOpenedx(handle, lms({ username: 'x', email: '', staff: true }), { ...at, staffRole: 'owner' })).toEqual({ ok: false, reason: 'no_email' });
  });

  it('a removed member stays out, even as LMS staff, until an owner invites them again', async () => {
    const staff = (await handle.rows<{ id: string }>(sql`select id from users where email = 'staff@example.org'`))[0]!;
    expect((await removeUser(handle, staff.id, ownerCtx)).ok).toBe(true);
    expect(await admitOpenedx(handle, lms({ username: 'staff', email: 'staff@example.org', staff: true }), { ...at, staffRole: 'editor' })).toEqual({ ok: false, reason: 'removed' });
    // Another LMS account with the removed email (verified) stays out too.
    expect(await admitOpenedx(handle, lms({ username: 'staff-2', email: 'STAFF@example.org', staff: true }), { ...at, staffRole: 'editor' })).toEqual({ ok: false, reason: 'removed' });
    const token = await invite('staff@example.org', 'viewer', new Date());
    const back = await admitOpenedx(handle, lms({ username: 'staff', email: 'staff@example.org', staff: true }), { ...at, staffRole: 'editor', invitationToken: token });
    expect(back.ok && back.user).toMatchObject({ role: 'viewer', openedxUsername: 'staff' });
    const [{ n }] = (await handle.rows<{ n: number }>(sql`select count(*)::int as n from openedx_exclusions`)) as [{ n: number }];
    expect(n).toBe(0);
  });
});
