'use server';
// Retries one webhook delivery now: a new attempt of the same delivery, signed with the same webhook-id.
import { revalidatePath } from 'next/cache';
import { requireAdminAction } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { parseDeliveryId } from '@/lib/deliveries/query';
import { retryDeliveryNow } from '@/lib/dispatch/queue';

export async function retryDeliveryAction(id: string): Promise<{ error?: string }> {
  await requireAdminAction();
  const deliveryId = parseDeliveryId(id);
  if (deliveryId === null) return { error: 'Unknown delivery.' };
  const result = await retryDeliveryNow(await getDb(), deliveryId);
  if (!result.ok) {
    return {
      error:
        result.reason === 'not_found'
          ? 'This delivery no longer exists (it may have passed the retention period).'
          : 'Webfilter calls are synchronous and cannot be replayed.',
    };
  }
  revalidatePath(`/deliveries/${deliveryId}`);
  revalidatePath('/deliveries');
  return {};
}
