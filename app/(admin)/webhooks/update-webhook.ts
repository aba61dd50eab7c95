'use server';
// Saves the webhook editor, or the list's enabled toggle (a partial change).
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';
import { updateWebhook } from '@/lib/manage/webhooks';

export async function updateWebhookAction(
  id: string,
  values: unknown,
): Promise<{ ok: true; warning: string | null; updatedAt: string } | ActionFailure> {
  const admin = await requireAdminAction('editor');
  const saved = await updateWebhook(await getDb(), id, values, await actionAudit(admin));
  if (!saved.ok) return actionFailure(saved);
  revalidatePath('/webhooks');
  revalidatePath(`/webhooks/${id}`);
  return { ok: true, warning: saved.value.warning, updatedAt: saved.value.row.updatedAt.toISOString() };
}
