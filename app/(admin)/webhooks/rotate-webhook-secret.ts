'use server';
// Replaces a webhook's signing secret and shows the new one.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { rotateWebhookSecret } from '@/lib/manage/webhooks';

export async function rotateWebhookSecretAction(id: string): Promise<{ secret?: string; error?: string }> {
  const admin = await requireAdminAction('editor');
  const rotated = await rotateWebhookSecret(await getDb(), id, await actionAudit(admin));
  if (!rotated) return { error: 'This webhook no longer exists.' };
  revalidatePath(`/webhooks/${id}`);
  return { secret: rotated.secret };
}
