// Who may enter with an Open edX account: a member of the team (matched by email), an invited email (the
// invitation is used then), or, when OPENEDX_OAUTH_STAFF_ROLE names a role, LMS staff and superusers.
import { eq } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { users, type Role, type User } from '../db/schema';
import { findUserByEmail } from '../auth/users';
import type { OpenedxProfile } from '../auth/openedx';
import { recordAudit } from '../audit/record';
import { claimInvitation, pendingInvitation } from './invitations';

export type Admission = { ok: true; user: User } | { ok: false; reason: 'no_email' | 'not_invited' };

export async function admitOpenedx(handle: DbHandle, p: OpenedxProfile, staffRole: Role | undefined, ip: string | null): Promise<Admission> {
  if (!p.email) return { ok: false, reason: 'no_email' };
  const member = await findUserByEmail(handle.db, p.email);
  if (member) {
    if (member.openedxUsername !== p.username) await handle.db.update(users).set({ openedxUsername: p.username }).where(eq(users.id, member.id));
    return { ok: true, user: member };
  }
  const invitation = await pendingInvitation(handle.db, p.email);
  if (invitation) {
    const used = await claimInvitation(handle, invitation, { name: p.name, openedxUsername: p.username, ip });
    if (used.ok) return used;
  }
  if (p.staff && staffRole) {
    const user = await handle.db.transaction(async (raw) => {
      const tx = raw as unknown as typeof handle.db;
      const [row] = await tx.insert(users).values({ email: p.email, name: p.name, role: staffRole, passwordHash: null, openedxUsername: p.username }).returning();
      await recordAudit(tx, { actor: { type: 'user', id: row!.id, label: row!.email, role: row!.role }, ip }, {
        action: 'user.created',
        targetType: 'user',
        targetId: row!.id,
        changes: { email: { before: null, after: row!.email }, role: { before: null, after: row!.role }, via: { before: null, after: 'Open edX staff' } },
      });
      return row!;
    });
    return { ok: true, user };
  }
  return { ok: false, reason: 'not_invited' };
}
