'use server';
// Retries every failed webhook delivery matching the log's filters.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { retryFailed } from '@/lib/deliveries/bulk-retry';
import { recordAudit } from '@/lib/audit/record';
import { paramsObject, parseDeliveryQuery } from '@/lib/deliveries/query';

export async function retryFailedAction(params: Record<string, string>): Promise<{ error?: string; count?: number }> {
  const admin = await requireAdminAction('editor');
  const parsed = parseDeliveryQuery(paramsObject(params));
  if (!parsed.ok) return { error: `The filters are not valid: ${parsed.issues[0]!.path} ${parsed.issues[0]!.message}.` };
  const handle = await getDb();
  const count = await retryFailed(handle, parsed.query.filters);
  // The engine queues them in its own statement; the entry follows it, naming the filters and the count.
  if (count > 0) {
    await recordAudit(handle.db, await actionAudit(admin), {
      action: 'deliveries.bulk_retried',
      targetType: 'deliveries',
      targetId: new URLSearchParams(params).toString() || 'all',
      changes: { retried: { before: null, after: count } },
    });
  }
  revalidatePath('/deliveries');
  return { count };
}
