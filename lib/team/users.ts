// The team (SPEC §10): list, create, change role, remove. The last owner can be neither removed nor demoted:
// each change locks the owners' rows first, so two changes at once cannot both take away "the other" owner.
import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, type Db, type DbHandle } from '../db/client';
import { ROLES, users, type Role, type User } from '../db/schema';
import { hashPassword } from '../auth/password';
import { deleteUserSessions } from '../auth/sessions';
import { excludeIdentity } from './exclusions';
import { findUserByEmail } from '../auth/users';
import { audited, diff, type AuditContext, type AuditEntry } from '../audit/record';
import { invalid, isUuid, notFound, ok, withoutReadOnly, type Failure, type Result } from '../manage/result';

export interface UserJson {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** How they sign in: "password", "openedx", or both. */
  sign_in: ('password' | 'openedx')[];
  last_sign_in_at: string | null;
  created_at: string;
}

export function userJson(u: User): UserJson {
  const sign: UserJson['sign_in'] = [];
  if (u.passwordHash) sign.push('password');
  if (u.openedxUsername) sign.push('openedx');
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    sign_in: sign,
    last_sign_in_at: u.lastSignInAt?.toISOString() ?? null,
    created_at: u.createdAt.toISOString(),
  };
}

const audit = (u: User) => ({ email: u.email, name: u.name, role: u.role }) as Record<string, unknown>;

export const password = z.string().min(10, 'Use at least 10 characters.').max(200, 'Use at most 200 characters.');
const role = z.enum(ROLES, { error: 'must be owner, editor or viewer' });
export const userCreate = z
  .object({ email: z.email('must be an email address'), name: z.string().trim().max(100).default(''), role, password })
  .strict();
export const userPatch = z.object({ role }).strict();

const conflict = (error: string): Failure => ({ ok: false, status: 409, error });

export async function listUsers(db: Db): Promise<User[]> {
  return db.select().from(users).orderBy(asc(users.createdAt), asc(users.id));
}

export async function getUser(db: Db, id: string): Promise<User | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ?? null;
}

export async function createUser(handle: DbHandle, input: unknown, ctx?: AuditContext): Promise<Result<User>> {
  const body = withoutReadOnly(input);
  const parsed = userCreate.safeParse(body);
  if (!parsed.success) return invalid(parsed.error, body);
  const v = parsed.data;
  if (await findUserByEmail(handle.db, v.email)) return conflict(`A user with the email ${v.email} already exists.`);
  const passwordHash = await hashPassword(v.password);
  try {
    const row = await audited(handle.db, ctx, async (tx) => {
      const [created] = await tx.insert(users).values({ email: v.email, name: v.name, role: v.role, passwordHash }).returning();
      return { value: created!, entry: { action: 'user.created', targetType: 'user', targetId: created!.id, changes: diff(null, audit(created!)) } };
    });
    return ok(row);
  } catch (err) {
    if (String((err as { cause?: unknown }).cause ?? err).includes('users_email_idx')) return conflict(`A user with the email ${v.email} already exists.`);
    throw err;
  }
}

const LAST_OWNER = 'This is the last owner: make someone else an owner first.';

/** Locks every owner's row and tells whether `id` is the only one. */
async function isLastOwner(tx: Db, id: string): Promise<boolean> {
  const rows = rowsOf<{ id: string }>(await tx.execute(sql`select id from users where role = 'owner' for update`));
  return rows.length === 1 && rows[0]!.id === id;
}

export async function changeRole(handle: DbHandle, id: string, input: unknown, ctx?: AuditContext): Promise<Result<User>> {
  if (!isUuid(id)) return notFound('user', id);
  const parsed = userPatch.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, input);
  const next = parsed.data.role;
  return audited(handle.db, ctx, async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, id));
    if (!current) return { value: notFound('user', id), entry: null };
    if (current.role === next) return { value: ok(current), entry: null };
    if (current.role === 'owner' && (await isLastOwner(tx, id))) return { value: conflict(LAST_OWNER), entry: null };
    const [row] = await tx.update(users).set({ role: next }).where(eq(users.id, id)).returning();
    return { value: ok(row!), entry: { action: 'user.role_changed', targetType: 'user', targetId: id, changes: diff(audit(current), audit(row!)) } };
  });
}

export async function removeUser(handle: DbHandle, id: string, ctx?: AuditContext): Promise<Result<User>> {
  if (!isUuid(id)) return notFound('user', id);
  const result = await audited(handle.db, ctx, async (tx): Promise<{ value: Result<User>; entry: AuditEntry | null }> => {
    const [current] = await tx.select().from(users).where(eq(users.id, id));
    if (!current) return { value: notFound('user', id), entry: null };
    if (current.role === 'owner' && (await isLastOwner(tx, id))) return { value: conflict(LAST_OWNER), entry: null };
    await tx.delete(users).where(eq(users.id, id));
    // Their Open edX identity stays out too (LMS staff would otherwise come back at the next sign-in).
    await excludeIdentity(tx, current);
    return { value: ok(current), entry: { action: 'user.removed', targetType: 'user', targetId: id, changes: diff(audit(current), null) } };
  });
  // Their sessions went with the row (foreign key); this forgets the ones this process remembers.
  if (result.ok) await deleteUserSessions(handle.db, id);
  return result;
}

/** The LMS username a member signs in with, or null before they linked one. */
export async function linkedOpenedx(db: Db, id: string): Promise<string | null> {
  const [row] = await db.select({ u: users.openedxUsername }).from(users).where(eq(users.id, id));
  return row?.u ?? null;
}
