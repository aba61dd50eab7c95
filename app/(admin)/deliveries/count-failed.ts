'use server';
// Counts the failed webhook deliveries a bulk retry would queue, and its limit, for its confirmation.
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { bulkRetryLimit, countRetryable } from '@/lib/deliveries/bulk-retry';
import { paramsObject, parseDeliveryQuery } from '@/lib/deliveries/query';

export async function countFailedAction(
  params: Record<string, string>,
): Promise<{ error?: string; count?: number; limit?: number }> {
  await requireAdminAction('editor');
  const parsed = parseDeliveryQuery(paramsObject(params));
  if (!parsed.ok) return { error: `The filters are not valid: ${parsed.issues[0]!.path} ${parsed.issues[0]!.message}.` };
  const { db } = await getDb();
  return { count: await countRetryable(db, parsed.query.filters), limit: bulkRetryLimit() };
}
