// Reading the audit log: newest first, keyset pages (the cursor is the last id seen), filtered.
import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { auditLog, type AuditRow } from '../db/schema';
import type { Issue } from '../http/json';

const iso = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time, like 2026-01-31T12:00:00Z' });

export const auditQuery = z
  .object({
    actor: z.string().trim().min(1).max(320).optional(),
    action: z.string().trim().min(1).max(100).optional(),
    target_type: z.string().trim().min(1).max(100).optional(),
    target_id: z.string().trim().min(1).max(200).optional(),
    from: iso.optional(),
    to: iso.optional(),
    limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
    cursor: z.string().regex(/^\d{1,18}$/, 'must be the next_cursor of a previous page').optional(),
  })
  .strict();
export type AuditQuery = z.output<typeof auditQuery>;

export function parseAuditQuery(params: URLSearchParams): { ok: true; query: AuditQuery } | { ok: false; error: string; issues: Issue[] } {
  const raw = Object.fromEntries([...params.entries()].filter(([, v]) => v !== ''));
  const parsed = auditQuery.safeParse(raw);
  if (parsed.success) return { ok: true, query: parsed.data };
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(query)',
    message: i.code === 'unrecognized_keys' ? `unknown filter: ${i.keys.join(', ')}` : i.message,
  }));
  return { ok: false, error: `${issues[0]!.path}: ${issues[0]!.message}.`, issues };
}

export interface AuditItem {
  id: string;
  at: string;
  actor: { type: 'user' | 'api_key'; id: string; label: string };
  action: string;
  target_type: string;
  target_id: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  ip: string | null;
}

export const auditItem = (r: AuditRow): AuditItem => ({
  id: String(r.id),
  at: r.at.toISOString(),
  actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
  action: r.action,
  target_type: r.targetType,
  target_id: r.targetId,
  changes: r.changes,
  ip: r.ip,
});

export async function listAudit(db: Db, q: AuditQuery): Promise<{ items: AuditItem[]; next_cursor: string | null }> {
  const where: SQL[] = [];
  if (q.actor) where.push(or(eq(auditLog.actorId, q.actor), eq(auditLog.actorLabel, q.actor))!);
  if (q.action) where.push(eq(auditLog.action, q.action));
  if (q.target_type) where.push(eq(auditLog.targetType, q.target_type));
  if (q.target_id) where.push(eq(auditLog.targetId, q.target_id));
  if (q.from) where.push(gte(auditLog.at, new Date(q.from)));
  if (q.to) where.push(lte(auditLog.at, new Date(q.to)));
  if (q.cursor) where.push(lt(auditLog.id, Number(q.cursor)));
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { items: page.map(auditItem), next_cursor: rows.length > q.limit ? String(page.at(-1)!.id) : null };
}
