'use server';
// Deletes a webhook; its past deliveries stay in the log.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { deleteWebhook } from '@/lib/manage/webhooks';

export async function deleteWebhookAction(id: string): Promise<{ error?: string }> {
  const admin = await requireAdminAction('editor');
  if (!(await deleteWebhook(await getDb(), id, await actionAudit(admin)))) return { error: 'This webhook no longer exists.' };
  revalidatePath('/webhooks');
  return {};
}
