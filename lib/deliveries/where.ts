// The SQL condition for a set of delivery filters, shared by the list, the counts and bulk retry.
import { and, eq, gte, lt, type SQL } from 'drizzle-orm';
import { deliveries } from '../db/schema';
import type { DeliveryFilters } from './query';

export function filterConditions(f: DeliveryFilters): SQL[] {
  const conds: SQL[] = [];
  if (f.kind) conds.push(eq(deliveries.kind, f.kind));
  if (f.status) conds.push(eq(deliveries.status, f.status));
  if (f.eventType) conds.push(eq(deliveries.eventType, f.eventType));
  if (f.targetId) conds.push(eq(deliveries.targetId, f.targetId));
  if (f.eventId) conds.push(eq(deliveries.eventId, f.eventId));
  if (f.from) conds.push(gte(deliveries.createdAt, f.from));
  // "to" is exclusive, so consecutive ranges (10:00–11:00, 11:00–12:00) never count a row twice.
  if (f.to) conds.push(lt(deliveries.createdAt, f.to));
  return conds;
}

export function filterWhere(f: DeliveryFilters, ...extra: (SQL | undefined)[]): SQL | undefined {
  return and(...filterConditions(f), ...extra);
}
