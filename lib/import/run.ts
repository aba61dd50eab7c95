// Imports an openedx-webhooks dumpdata list in one transaction (or previews it): all rows or none.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { webfilters, webhooks } from '../db/schema';
import { generateSecret } from '../dispatch/sign';
import { invalidateTargets } from '../dispatch/targets';
import { webfilterColumns } from '../manage/webfilters';
import { webhookColumns } from '../manage/webhooks';
import { ok, type Result } from '../manage/result';
import { readDumpdata } from './dumpdata';
import { recordAudit, type AuditContext } from '../audit/record';
import type { Db } from '../db/client';
import { planImport, type ImportItem, type ImportResultKind } from './plan';

export type { ImportItem, ImportResultKind } from './plan';

export interface ImportReport {
  dry_run: boolean;
  created: number;
  skipped: number;
  /** Rows of other models in the file, left alone. */
  ignored: number;
  /** One sentence summing the outcome up. */
  message: string;
  items: ImportItem[];
}

// Two imports at once would each miss the other's rows and create them twice: they take turns.
const LOCK = sql`select pg_advisory_xact_lock(hashtext('openedx-webhooks.import'))`;

export async function importOpenedxWebhooks(
  handle: DbHandle,
  body: unknown,
  opts: { dryRun: boolean },
  ctx?: AuditContext,
): Promise<Result<ImportReport>> {
  const dump = readDumpdata(body);
  if (!dump.ok) return { ok: false, status: dump.status, error: dump.error };
  const items = await handle.db.transaction(async (tx) => {
    await tx.execute(LOCK);
    const plan = planImport(dump.rows, { webhooks: await tx.select().from(webhooks), webfilters: await tx.select().from(webfilters) }, opts.dryRun);
    if (opts.dryRun) return plan.map((p) => p.item);
    // Next position per filter: imported webfilters go after the existing ones, in the plugin's pk order.
    const next = new Map<string, number>();
    for (const w of await tx.select({ t: webfilters.filterType, p: webfilters.position }).from(webfilters)) {
      next.set(w.t, Math.max(next.get(w.t) ?? 0, w.p + 1));
    }
    // One transaction has one now(): distinct times keep the lists (ordered by creation) in pk order.
    const start = Date.now();
    let n = 0;
    for (const { item, insert } of plan) {
      if (!insert) continue;
      const at = new Date(start + n++);
      if (insert.kind === 'webhook') {
        const v = insert.values;
        const [row] = await tx
          .insert(webhooks)
          .values({ ...(webhookColumns(v) as typeof webhooks.$inferInsert), secret: generateSecret(), createdAt: at, updatedAt: at })
          .returning({ id: webhooks.id });
        item.id = row!.id;
      } else {
        const position = next.get(insert.values.filter_type) ?? 0;
        next.set(insert.values.filter_type, position + 1);
        const columns = webfilterColumns({ ...insert.values, position }) as typeof webfilters.$inferInsert;
        const [row] = await tx
          .insert(webfilters)
          .values({ ...columns, createdAt: at, updatedAt: at })
          .returning({ id: webfilters.id });
        item.id = row!.id;
      }
    }
    const made = plan.filter((p) => p.insert).map((p) => ({ kind: p.insert!.kind, id: p.item.id! }));
    if (ctx && made.length) {
      const ids = (kind: string) => made.filter((m) => m.kind === kind).map((m) => m.id);
      await recordAudit(tx as unknown as Db, ctx, {
        action: 'import.ran',
        targetType: 'import',
        targetId: 'openedx-webhooks',
        changes: { webhooks: { before: null, after: ids('webhook') }, webfilters: { before: null, after: ids('webfilter') } },
      });
    }
    return plan.map((p) => p.item);
  });
  const created = items.filter((i) => i.result === 'created').length;
  if (created && !opts.dryRun) await invalidateTargets(handle);
  return ok({ dry_run: opts.dryRun, created, skipped: items.length - created, ignored: dump.ignored, message: summary(items, dump.ignored, opts.dryRun), items });
}

const WORDS: Record<Exclude<ImportResultKind, 'created'>, [string, string]> = {
  duplicate: ['duplicate', 'duplicates'],
  unknown_event: ['unknown event', 'unknown events'],
  invalid: ['invalid row', 'invalid rows'],
};

function count(n: number, [one, many]: [string, string]) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "Created 3 webhooks and 2 webfilters; skipped 2 (1 duplicate, 1 unknown event)." */
export function summary(items: ImportItem[], ignored: number, dryRun: boolean): string {
  const made = items.filter((i) => i.result === 'created');
  const hooks = made.filter((i) => i.model.endsWith('.webhook')).length;
  const what = `${count(hooks, ['webhook', 'webhooks'])} and ${count(made.length - hooks, ['webfilter', 'webfilters'])}`;
  const parts = [dryRun ? `Would create ${what}` : `Created ${what}`];
  const reasons = (Object.keys(WORDS) as (keyof typeof WORDS)[])
    .map((k) => [k, items.filter((i) => i.result === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => count(n, WORDS[k]));
  if (reasons.length) parts.push(`skipped ${items.length - made.length} (${reasons.join(', ')})`);
  if (ignored) parts.push(`ignored ${count(ignored, ['row of another model', 'rows of other models'])}`);
  return parts.join('; ') + (dryRun ? '. Nothing was changed (dry run).' : '.');
}
