'use server';
// Creates a webhook from the editor; the editor then opens it, where its secret can be seen.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';
import { createWebhook } from '@/lib/manage/webhooks';

export async function createWebhookAction(
  values: unknown,
): Promise<{ ok: true; id: string; warning: string | null } | ActionFailure> {
  await requireAdminAction();
  const saved = await createWebhook(await getDb(), values);
  if (!saved.ok) return actionFailure(saved);
  revalidatePath('/webhooks');
  return { ok: true, id: saved.value.row.id, warning: saved.value.warning };
}
