'use server';
// Deletes a webfilter; its past calls stay in the log.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { deleteWebfilter } from '@/lib/manage/webfilters';

export async function deleteWebfilterAction(id: string): Promise<{ error?: string }> {
  const admin = await requireAdminAction('editor');
  if (!(await deleteWebfilter(await getDb(), id, await actionAudit(admin)))) return { error: 'This webfilter no longer exists.' };
  revalidatePath('/webfilters');
  return {};
}
