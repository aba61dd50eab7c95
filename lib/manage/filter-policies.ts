// Filter policies (SPEC §12): a filter type's whole-call budget and what the relay does when the service cannot
// answer in time. Every change is audited and reaches the filter engine and the relays' routing at once.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbHandle } from '../db/client';
import { filterPolicies } from '../db/schema';
import { audited, diff, type AuditContext } from '../audit/record';
import { filterPoliciesAll, invalidateTargets, type FilterPolicy } from '../dispatch/targets';
import { filterType } from '../validation/webfilter';
import { invalid, ok, type Result } from './result';

export const filterPolicyInput = z.strictObject({
  timeout_ms: z
    .number({ error: 'Give timeout_ms as a number of milliseconds.' })
    .int('Give timeout_ms as a whole number of milliseconds.')
    .min(50, 'timeout_ms must be at least 50.')
    .max(30_000, 'timeout_ms must be at most 30000.'),
  on_unreachable: z.enum(['allow', 'halt'], { error: 'on_unreachable must be "allow" or "halt".' }),
});

export interface FilterPolicyJson {
  filter_type: string;
  timeout_ms: number;
  on_unreachable: 'allow' | 'halt';
}

const json = (p: FilterPolicy): FilterPolicyJson => ({ filter_type: p.filterType, timeout_ms: p.timeoutMs, on_unreachable: p.onUnreachable });

export async function listFilterPolicies(handle: DbHandle): Promise<FilterPolicyJson[]> {
  return (await filterPoliciesAll(handle)).map(json);
}

/** The canonical filter type of a path segment (a type or a class name), or a failure naming the closest. */
function typeOf(raw: string): Result<string> {
  const parsed = filterType.safeParse(decodeURIComponent(raw));
  return parsed.success ? ok(parsed.data) : invalid(parsed.error, raw);
}

export async function putFilterPolicy(handle: DbHandle, rawType: string, input: unknown, ctx?: AuditContext): Promise<Result<FilterPolicyJson>> {
  const type = typeOf(rawType);
  if (!type.ok) return type;
  const parsed = filterPolicyInput.safeParse(input);
  if (!parsed.success) return invalid(parsed.error, input);
  const v = parsed.data;
  const row = await audited(handle.db, ctx, async (tx) => {
    const [before] = await tx.select().from(filterPolicies).where(eq(filterPolicies.filterType, type.value));
    const [saved] = await tx
      .insert(filterPolicies)
      .values({ filterType: type.value, timeoutMs: v.timeout_ms, onUnreachable: v.on_unreachable, updatedAt: new Date() })
      .onConflictDoUpdate({ target: filterPolicies.filterType, set: { timeoutMs: v.timeout_ms, onUnreachable: v.on_unreachable, updatedAt: new Date() } })
      .returning();
    const changes = diff(before ? { timeout_ms: before.timeoutMs, on_unreachable: before.onUnreachable } : null, { timeout_ms: saved!.timeoutMs, on_unreachable: saved!.onUnreachable });
    return { value: saved!, entry: Object.keys(changes).length ? { action: 'filter_policy.saved', targetType: 'filter_policy', targetId: type.value, changes } : null };
  });
  await invalidateTargets(handle);
  return ok(json(row));
}

/** Back to the defaults (FILTER_TIMEOUT_MS, and the relay's own fail-open setting). */
export async function deleteFilterPolicy(handle: DbHandle, rawType: string, ctx?: AuditContext): Promise<Result<boolean>> {
  const type = typeOf(rawType);
  if (!type.ok) return type;
  const gone = await audited(handle.db, ctx, async (tx) => {
    const [row] = await tx.delete(filterPolicies).where(eq(filterPolicies.filterType, type.value)).returning();
    const entry = row ? { action: 'filter_policy.deleted', targetType: 'filter_policy', targetId: type.value, changes: diff({ timeout_ms: row.timeoutMs, on_unreachable: row.onUnreachable }, null) } : null;
    return { value: !!row, entry };
  });
  await invalidateTargets(handle);
  return ok(gone);
}
