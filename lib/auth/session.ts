// The session check every admin page and server action makes itself (proxy.ts only redirects).
import { redirect } from 'next/navigation';
import { getDb } from '../db';
import { auth } from './index';
import { hasAdmin } from './users';

export interface Admin {
  id: string;
  email: string;
  name: string;
}

/** The signed-in admin, or null. */
export async function currentAdmin(): Promise<Admin | null> {
  const session = await auth();
  const user = session?.user;
  if (!user?.id || !user.email) return null;
  return { id: user.id, email: user.email, name: user.name ?? user.email };
}

/** For pages: the admin, or a redirect to first-run setup or sign-in. */
export async function requireAdminPage(): Promise<Admin> {
  const admin = await currentAdmin();
  if (admin) return admin;
  const { db } = await getDb();
  redirect((await hasAdmin(db)) ? '/login' : '/setup');
}

/** For server actions: throws when there is no session (the form shows a generic error). */
export async function requireAdminAction(): Promise<Admin> {
  const admin = await currentAdmin();
  if (!admin) throw new Error('Your session has ended: sign in again.');
  return admin;
}
