'use server';
// "Send test": posts a sample of the chosen event to the URL in the editor, signed like a real delivery.
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { actionFailure, type ActionFailure } from '@/lib/manage/result';
import { testWebhook, type WebhookTest } from '@/lib/manage/send-test';

export async function testWebhookAction(id: string | null, values: unknown): Promise<({ ok: true } & WebhookTest) | ActionFailure> {
  const admin = await requireAdminAction('editor');
  const result = await testWebhook(await getDb(), id, values, await actionAudit(admin));
  return result.ok ? { ok: true, ...result.value } : actionFailure(result);
}
