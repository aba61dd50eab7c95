'use server';
// Shows a webhook's signing secret to the admin who asked for it (never sent with the page).
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { webhookSecret } from '@/lib/manage/webhooks';

export async function revealWebhookSecretAction(id: string): Promise<{ secret?: string; error?: string }> {
  await requireAdminAction('editor');
  const secret = await webhookSecret(await getDb(), id);
  return secret ? { secret } : { error: 'This webhook no longer exists.' };
}
