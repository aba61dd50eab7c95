// Invitations (SPEC §10): a link holding a random token, valid once and for 7 days, that lets the invitee choose
// a password or sign in with Open edX. Only the token's SHA-256 is stored; `now` is injectable for tests.
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbHandle } from '../db/client';
import { invitations, ROLES, users, type Invitation, type User } from '../db/schema';
import { hashToken } from '../auth/api-keys';
import { hashPassword } from '../auth/password';
import { findUserByEmail } from '../auth/users';
import { audited, diff, recordAudit, type AuditContext } from '../audit/record';
import { clearExclusion } from './exclusions';
import { invalid, ok, withoutReadOnly, type Failure, type Result } from '../manage/result';

export const INVITATION_DAYS = 7;
const DAY_MS = 86_400_000;

export const invitationCreate = z
  .object({ email: z.email('must be an email address'), role: z.enum(ROLES, { error: 'must be owner, editor or viewer' }).default('viewer') })
  .strict();

export const invitationPath = (token: string) => `/invite/${token}`;

export async function createInvitation(
  handle: DbHandle,
  input: unknown,
  ctx: AuditContext | undefined,
  opts: { createdBy?: string | null; now?: Date } = {},
): Promise<Result<{ token: string; invitation: Invitation }>> {
  const body = withoutReadOnly(input);
  const parsed = invitationCreate.safeParse(body);
  if (!parsed.success) return invalid(parsed.error, body);
  const { email, role } = parsed.data;
  if (await findUserByEmail(handle.db, email)) return { ok: false, status: 409, error: `${email} is already a member of the team.` };
  const now = opts.now ?? new Date();
  const token = `oewi_${randomBytes(24).toString('base64url')}`;
  const invitation = await audited(handle.db, ctx, async (tx) => {
    const [row] = await tx
      .insert(invitations)
      .values({ email, role, tokenHash: hashToken(token), createdBy: opts.createdBy ?? null, createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_DAYS * DAY_MS) })
      .returning();
    const after = { email, role, expires_at: row!.expiresAt.toISOString() };
    return { value: row!, entry: { action: 'invitation.created', targetType: 'invitation', targetId: row!.id, changes: diff(null, after) } };
  });
  return ok({ token, invitation });
}

export type InvitationCheck = { ok: true; invitation: Invitation } | { ok: false; error: string };

const USED = 'This invitation has already been used: sign in instead.';
const EXPIRED = 'This invitation has expired: ask an owner for a new one.';
const UNKNOWN = 'This invitation link is not valid: check that it was copied whole.';

/** The pending invitation a token opens, or why it opens none. */
export async function checkInvitation(db: Db, token: string, now = new Date()): Promise<InvitationCheck> {
  if (!/^oewi_[A-Za-z0-9_-]{20,64}$/.test(token)) return { ok: false, error: UNKNOWN };
  const [row] = await db.select().from(invitations).where(eq(invitations.tokenHash, hashToken(token)));
  if (!row) return { ok: false, error: UNKNOWN };
  if (row.acceptedAt) return { ok: false, error: USED };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, error: EXPIRED };
  return { ok: true, invitation: row };
}

/**
 * Uses an invitation once: creates the user with the invited role (and the password chosen, or none for an
 * Open edX sign-in) and marks the invitation accepted, in one transaction; a second use finds it accepted.
 */
export async function acceptInvitation(
  handle: DbHandle,
  token: string,
  input: { name?: string; password?: string; openedxUsername?: string; ip?: string | null },
  now = new Date(),
): Promise<{ ok: true; user: User } | { ok: false; error: string }> {
  const check = await checkInvitation(handle.db, token, now);
  if (!check.ok) return check;
  return claimInvitation(handle, check.invitation, input, now);
}

/** Uses a pending invitation found by its token (a password chosen, or an Open edX sign-in from its page). */
export async function claimInvitation(
  handle: DbHandle,
  invitation: Invitation,
  input: { name?: string; password?: string; openedxUsername?: string; ip?: string | null },
  now = new Date(),
): Promise<{ ok: true; user: User } | { ok: false; error: string }> {
  const check = { invitation };
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return handle.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    // Claimed atomically: of two uses at once, one updates the row and the other finds nothing.
    const [claimed] = await tx
      .update(invitations)
      .set({ acceptedAt: now })
      .where(and(eq(invitations.id, check.invitation.id), isNull(invitations.acceptedAt), gt(invitations.expiresAt, now)))
      .returning();
    if (!claimed) return { ok: false as const, error: USED };
    if (await findUserByEmail(tx, claimed.email)) return { ok: false as const, error: USED };
    const [user] = await tx
      .insert(users)
      .values({
        email: claimed.email,
        name: input.name?.trim() ?? '',
        role: claimed.role,
        passwordHash,
        openedxUsername: input.openedxUsername ?? null,
      })
      .returning();
    // An owner invited this person (again): a removal of their Open edX identity no longer keeps them out.
    await clearExclusion(tx, claimed.email, input.openedxUsername ?? null);
    await recordAudit(tx, { actor: { type: 'user', id: user!.id, label: user!.email, role: user!.role }, ip: input.ip ?? null }, {
      action: 'invitation.accepted',
      targetType: 'invitation',
      targetId: claimed.id,
      changes: { accepted_at: { before: null, after: now.toISOString() }, user_id: { before: null, after: user!.id } },
    });
    return { ok: true as const, user: user! };
  });
}

export type { Failure };
