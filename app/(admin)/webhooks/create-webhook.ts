'use server';
// Creates a webhook from the editor; the editor then opens it, where its secret can be seen.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';
import { createWebhook } from '@/lib/manage/webhooks';

export async function createWebhookAction(
  values: unknown,
): Promise<{ ok: true; id: string; warning: string | null } | ActionFailure> {
  const admin = await requireAdminAction('editor');
  const saved = await createWebhook(await getDb(), values, await actionAudit(admin));
  if (!saved.ok) return actionFailure(saved);
  revalidatePath('/webhooks');
  return { ok: true, id: saved.value.row.id, warning: saved.value.warning };
}
