// The webhooks and webfilters a delivery can point at, for the log's target filter and labels.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { webfilters, webhooks } from '../db/schema';
import { maskTargetUrl } from '../secrets/target-url';

export interface TargetOption {
  id: string;
  kind: 'webhook' | 'webfilter';
  label: string;
}

export async function listTargets(db: Db): Promise<TargetOption[]> {
  const cols = { id: webhooks.id, description: webhooks.description, url: webhooks.url };
  const [hooks, filters] = await Promise.all([
    db.select(cols).from(webhooks).orderBy(asc(webhooks.createdAt)),
    db
      .select({ id: webfilters.id, description: webfilters.description, url: webfilters.url })
      .from(webfilters)
      .orderBy(asc(webfilters.createdAt)),
  ]);
  const label = (t: { description: string; url: string }) => t.description.trim() || maskTargetUrl(t.url);
  return [
    ...hooks.map((t) => ({ id: t.id, kind: 'webhook' as const, label: label(t) })),
    ...filters.map((t) => ({ id: t.id, kind: 'webfilter' as const, label: label(t) })),
  ];
}

/** The webhook or webfilter a delivery went to, or null once it has been deleted. */
export async function findTarget(db: Db, kind: 'webhook' | 'webfilter', id: string): Promise<TargetOption | null> {
  const table = kind === 'webhook' ? webhooks : webfilters;
  const [t] = await db.select({ id: table.id, description: table.description, url: table.url }).from(table).where(eq(table.id, id));
  return t ? { id: t.id, kind, label: t.description.trim() || maskTargetUrl(t.url) } : null;
}
