'use server';
// Retries one webhook delivery now: a new attempt of the same delivery, signed with the same webhook-id.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { actionAudit } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { getDeliveryDetail } from '@/lib/deliveries/detail';
import { parseDeliveryId } from '@/lib/deliveries/query';
import { retryRefusal } from '@/lib/deliveries/transformed';
import { retryDeliveryNow } from '@/lib/dispatch/queue';
import { recordAudit, retryEntry } from '@/lib/audit/record';

export async function retryDeliveryAction(id: string): Promise<{ error?: string }> {
  const admin = await requireAdminAction('editor');
  const deliveryId = parseDeliveryId(id);
  if (deliveryId === null) return { error: 'Unknown delivery.' };
  const before = await getDeliveryDetail((await getDb()).db, deliveryId);
  const refusal = before && retryRefusal(before.delivery);
  if (refusal) return { error: refusal };
  const result = await retryDeliveryNow(await getDb(), deliveryId);
  if (!result.ok) {
    return {
      error:
        result.reason === 'not_found'
          ? 'This delivery no longer exists (it may have passed the retention period).'
          : 'Webfilter calls are synchronous and cannot be replayed.',
    };
  }
  await recordAudit((await getDb()).db, await actionAudit(admin), retryEntry(deliveryId));
  revalidatePath(`/deliveries/${deliveryId}`);
  revalidatePath('/deliveries');
  return {};
}
