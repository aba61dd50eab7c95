// Who may enter with an Open edX account. The LMS vouches for a username; an email it sends is only trusted
// when it says the email is verified (edx-platform sets email_verified from user.is_active), and never to take
// over an account: an LMS identity is linked to a member once, from that member's own signed-in session or
// through an invitation link, and from then on that username is how they sign in. LMS staff enter with
// OPENEDX_OAUTH_STAFF_ROLE unless an owner removed them (they stay out until invited again).
import { eq } from 'drizzle-orm';
import type { Db, DbHandle } from '../db/client';
import { users, type Role, type User } from '../db/schema';
import { isExcluded } from './exclusions';
import { findUserByEmail } from '../auth/users';
import type { OpenedxProfile } from '../auth/openedx';
import { recordAudit } from '../audit/record';
import { checkInvitation, claimInvitation } from './invitations';

export type Refusal = 'no_email' | 'not_invited' | 'unverified' | 'not_linked' | 'linked_elsewhere' | 'removed' | 'invitation';
export type Admission = { ok: true; user: User } | { ok: false; reason: Refusal; detail?: string };

export interface AdmitOptions {
  staffRole?: Role;
  ip: string | null;
  /** A member who, signed in here, asked to link their Open edX account (see openedx-intent.ts). */
  linkUserId?: string | null;
  /** The invitation token the visitor brought from the invitation page. */
  invitationToken?: string | null;
}

const actor = (u: User) => ({ type: 'user' as const, id: u.id, label: u.email, role: u.role });

async function memberByUsername(db: Db, username: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.openedxUsername, username)).limit(1);
  return row;
}

async function link(handle: DbHandle, memberId: string, p: OpenedxProfile, ip: string | null): Promise<Admission> {
  return handle.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [member] = await tx.select().from(users).where(eq(users.id, memberId)).for('update');
    if (!member) return { ok: false as const, reason: 'not_linked' as const };
    const holder = await memberByUsername(tx, p.username);
    if (holder && holder.id !== member.id) return { ok: false as const, reason: 'linked_elsewhere' as const };
    if (member.openedxUsername === p.username) return { ok: true as const, user: member };
    const [linked] = await tx.update(users).set({ openedxUsername: p.username }).where(eq(users.id, member.id)).returning();
    await recordAudit(tx, { actor: actor(member), ip }, {
      action: 'user.openedx_linked',
      targetType: 'user',
      targetId: member.id,
      changes: { openedx_username: { before: member.openedxUsername, after: p.username } },
    });
    return { ok: true as const, user: linked! };
  });
}

async function byInvitation(handle: DbHandle, token: string, p: OpenedxProfile, ip: string | null): Promise<Admission> {
  const check = await checkInvitation(handle.db, token);
  if (!check.ok) return { ok: false, reason: 'invitation', detail: check.error };
  if (await memberByUsername(handle.db, p.username)) return { ok: false, reason: 'linked_elsewhere' };
  const used = await claimInvitation(handle, check.invitation, { name: p.name, openedxUsername: p.username, ip });
  return used.ok ? used : { ok: false, reason: 'invitation', detail: used.error };
}

async function asStaff(handle: DbHandle, p: OpenedxProfile, role: Role, ip: string | null): Promise<User> {
  return handle.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx.insert(users).values({ email: p.email, name: p.name, role, passwordHash: null, openedxUsername: p.username }).returning();
    await recordAudit(tx, { actor: actor(row!), ip }, {
      action: 'user.created',
      targetType: 'user',
      targetId: row!.id,
      changes: { email: { before: null, after: row!.email }, role: { before: null, after: row!.role }, via: { before: null, after: 'Open edX staff' } },
    });
    return row!;
  });
}

export async function admitOpenedx(handle: DbHandle, p: OpenedxProfile, opts: AdmitOptions): Promise<Admission> {
  if (!p.username) return { ok: false, reason: 'not_invited' };
  // An explicit act of the visitor comes first: linking from their signed-in session, or an invitation link.
  if (opts.linkUserId) return link(handle, opts.linkUserId, p, opts.ip);
  if (opts.invitationToken) return byInvitation(handle, opts.invitationToken, p, opts.ip);
  // The identity this member signs in with.
  const member = await memberByUsername(handle.db, p.username);
  if (member) return { ok: true, user: member };
  if (await isExcluded(handle.db, p)) return { ok: false, reason: 'removed' };
  if (!p.email) return { ok: false, reason: 'no_email' };
  // A member with this email who never linked an LMS account: an email is no proof of who signs in.
  if (await findUserByEmail(handle.db, p.email)) return { ok: false, reason: p.emailVerified ? 'not_linked' : 'unverified' };
  if (p.staff && opts.staffRole) {
    if (!p.emailVerified) return { ok: false, reason: 'unverified' };
    return { ok: true, user: await asStaff(handle, p, opts.staffRole, opts.ip) };
  }
  return { ok: false, reason: 'not_invited' };
}
