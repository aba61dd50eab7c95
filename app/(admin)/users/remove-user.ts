'use server';
// Removes a user: their sessions end at once; never the last owner.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { removeUser } from '@/lib/team/users';

export async function removeUserAction(id: string): Promise<{ error?: string }> {
  const admin = await requireAdminAction('owner');
  const removed = await removeUser(await getDb(), id, await actionAudit(admin));
  if (!removed.ok) return { error: removed.error };
  revalidatePath('/users');
  return {};
}
