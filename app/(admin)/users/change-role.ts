'use server';
// Changes a user's role; the last owner keeps theirs.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { changeRole } from '@/lib/team/users';

export async function changeRoleAction(id: string, role: string): Promise<{ error?: string }> {
  const admin = await requireAdminAction('owner');
  const changed = await changeRole(await getDb(), id, { role }, await actionAudit(admin));
  if (!changed.ok) return { error: changed.error };
  revalidatePath('/users');
  return {};
}
