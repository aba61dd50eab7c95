'use server';
// Retries every failed webhook delivery matching the log's filters.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { retryFailed } from '@/lib/deliveries/bulk-retry';
import { paramsObject, parseDeliveryQuery } from '@/lib/deliveries/query';

export async function retryFailedAction(params: Record<string, string>): Promise<{ error?: string; count?: number }> {
  await requireAdminAction();
  const parsed = parseDeliveryQuery(paramsObject(params));
  if (!parsed.ok) return { error: `The filters are not valid: ${parsed.issues[0]!.path} ${parsed.issues[0]!.message}.` };
  const count = await retryFailed(await getDb(), parsed.query.filters);
  revalidatePath('/deliveries');
  return { count };
}
