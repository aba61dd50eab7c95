// Writes one audit entry (SPEC §10): who, when, from where, and the before/after of the fields that changed.
// Callers pass the transaction that makes the change, so the change and its entry are written together.
import type { Db } from '../db/client';
import { auditLog } from '../db/schema';
import type { Actor } from '../auth/roles';

export interface AuditContext {
  actor: Actor;
  /** The client address (TRUST_PROXY-aware), or null when unknown. */
  ip: string | null;
}

export type Changes = Record<string, { before: unknown; after: unknown }>;

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string;
  changes: Changes;
}

/** Stands for a secret or a header value that changed: the log shows that it did, never what it is. */
export const MASK = '••••';
const SECRET_FIELD = /secret|token|password|api_?key|hash|headers?$/i;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The fields whose value differs between two views of a record (null before: created; null after: deleted).
 * Fields named like a secret are masked; a header map keeps its names and masks every value.
 */
export function diff(before: Record<string, unknown> | null, after: Record<string, unknown> | null): Changes {
  const out: Changes = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    if (k === 'id' || k === 'created_at' || k === 'updated_at') continue;
    const b = before ? before[k] : undefined;
    const a = after ? after[k] : undefined;
    if (before && after && same(a, b)) continue;
    out[k] = { before: masked(k, b ?? null), after: masked(k, a ?? null) };
  }
  return out;
}

function masked(field: string, value: unknown): unknown {
  if (value === null || !SECRET_FIELD.test(field)) return value;
  if (/headers?$/i.test(field) && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.keys(value as object).map((name) => [name, MASK]));
  }
  return MASK;
}

export async function recordAudit(db: Db, ctx: AuditContext, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    actorLabel: ctx.actor.label,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    changes: entry.changes,
    ip: ctx.ip,
  });
}

/** Runs `change` and writes its audit entry in one transaction: nothing half-written. */
export async function audited<T>(
  db: Db,
  ctx: AuditContext | undefined,
  change: (tx: Db) => Promise<{ value: T; entry: AuditEntry | null }>,
): Promise<T> {
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const { value, entry } = await change(tx);
    if (ctx && entry) await recordAudit(tx, ctx, entry);
    return value;
  });
}

/** A delivery retried now by hand (the engine writes the attempt; this entry follows it). */
export const retryEntry = (deliveryId: number): AuditEntry => ({
  action: 'delivery.retried',
  targetType: 'delivery',
  targetId: String(deliveryId),
  changes: { status: { before: null, after: 'pending' } },
});

/** Stored events of a range sent to a webhook again (SPEC §9); the engine writes the deliveries, this entry follows. */
export const replayEntry = (webhookId: string, range: { from: Date; to: Date }, deliveries: number): AuditEntry => ({
  action: 'webhook.replayed',
  targetType: 'webhook',
  targetId: webhookId,
  changes: { replay: { before: null, after: { from: range.from.toISOString(), to: range.to.toISOString(), deliveries } } },
});
