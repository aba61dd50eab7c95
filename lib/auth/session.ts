// The session and role check every admin page and server action makes itself (proxy.ts only redirects).
import { eq } from 'drizzle-orm';
import { redirect } from 'next/navigation';
import { getDb } from '../db';
import { users } from '../db/schema';
import { auth } from './index';
import { allows, roleRefusal, type Actor, type Role } from './roles';
import { hasAdmin } from './users';

export interface Admin {
  id: string;
  email: string;
  name: string;
  /** Read from the database on every request: a changed role applies at once. */
  role: Role;
}

/** The signed-in user with their current role, or null. */
export async function currentAdmin(): Promise<Admin | null> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const { db } = await getDb();
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(users)
    .where(eq(users.id, id));
  return row ? { ...row, name: row.name || row.email } : null;
}

export const actorOf = (admin: Admin): Actor => ({ type: 'user', id: admin.id, label: admin.email, role: admin.role });

/** For pages: the user, or a redirect to first-run setup, sign-in, or the page saying the role does not allow it. */
export async function requireAdminPage(needed: Role = 'viewer'): Promise<Admin> {
  const admin = await currentAdmin();
  if (admin) {
    if (!allows(admin.role, needed)) redirect(`/not-allowed?needs=${needed}`);
    return admin;
  }
  const { db } = await getDb();
  redirect((await hasAdmin(db)) ? '/login' : '/setup');
}

export class RoleRefused extends Error {}

/**
 * For server actions: throws without a session (the form shows a generic error) or when the role does not
 * allow the action; the pages hide what a role may not do, so only a forged call meets this.
 */
export async function requireAdminAction(needed: Role): Promise<Admin> {
  const admin = await currentAdmin();
  if (!admin) throw new Error('Your session has ended: sign in again.');
  if (!allows(admin.role, needed)) throw new RoleRefused(roleRefusal(admin.role, needed));
  return admin;
}
