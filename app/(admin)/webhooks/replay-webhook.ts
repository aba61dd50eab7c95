'use server';
// The webhook page's Replay panel (SPEC §9): count (dry run) or send the stored events of a range again.
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { recordAudit, replayEntry } from '@/lib/audit/record';
import { getDb } from '@/lib/db';
import { replayRequest, replayWebhook } from '@/lib/dispatch/replay';
import { getWebhook } from '@/lib/manage/webhooks';

export async function replayWebhookAction(
  id: string,
  input: { from: string; to: string; dry_run: boolean },
): Promise<{ ok: true; deliveries: number } | { ok: false; error: string }> {
  const admin = await requireAdminAction('editor');
  const handle = await getDb();
  const hook = await getWebhook(handle, id);
  if (!hook) return { ok: false, error: 'This webhook no longer exists.' };
  const parsed = replayRequest.safeParse(input);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? 'Check the range.' };
  const r = await replayWebhook(handle, hook, parsed.data);
  if (r.ok && !parsed.data.dry_run) await recordAudit(handle.db, await actionAudit(admin), replayEntry(id, parsed.data, r.deliveries));
  return r.ok ? { ok: true, deliveries: r.deliveries } : { ok: false, error: r.error };
}
