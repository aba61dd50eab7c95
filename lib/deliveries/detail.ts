// One delivery with every attempt, oldest attempt first, for the detail page and the API.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { deliveries, deliveryAttempts, type Delivery, type DeliveryAttempt } from '../db/schema';

export interface DeliveryDetail {
  delivery: Delivery;
  attempts: DeliveryAttempt[];
}

export async function getDeliveryDetail(db: Db, id: number): Promise<DeliveryDetail | null> {
  const [delivery] = await db.select().from(deliveries).where(eq(deliveries.id, id));
  if (!delivery) return null;
  const attempts = await db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, id))
    .orderBy(asc(deliveryAttempts.attemptNo), asc(deliveryAttempts.id));
  return { delivery, attempts };
}
