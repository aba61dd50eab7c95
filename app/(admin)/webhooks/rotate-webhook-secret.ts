'use server';
// Replaces a webhook's signing secret and shows the new one.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { rotateWebhookSecret } from '@/lib/manage/webhooks';

export async function rotateWebhookSecretAction(id: string): Promise<{ secret?: string; error?: string }> {
  await requireAdminAction();
  const rotated = await rotateWebhookSecret(await getDb(), id);
  if (!rotated) return { error: 'This webhook no longer exists.' };
  revalidatePath(`/webhooks/${id}`);
  return { secret: rotated.secret };
}
