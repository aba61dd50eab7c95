// Webfilter CRUD and ordering shared by the admin pages' actions and the management API.
import { and, asc, eq, max } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { webfilters, type Webfilter } from '../db/schema';
import { invalidateTargets } from '../dispatch/targets';
import { maskedHeaders } from '../secrets/header-crypto';
import { storedBreakers, type BreakerView } from '../dispatch/filters/breaker';
import { mergeHeaders } from './webhooks';
import { optionIssues, webfilterCreate, webfilterPatch, type WebfilterValues } from '../validation/webfilter';
import { invalid, isUuid, notFound, ok, rejected, withoutReadOnly, type Result } from './result';
import { targetWarning } from './target-warning';
import { platformCatalogReady } from '../platforms/catalog';
import { audited, diff, recordAudit, type AuditContext } from '../audit/record';
import { maskTargetUrl, restoreBodyUrl, secretChanges, urlIssue } from '../secrets/target-url';
import type { Db } from '../db/client';

const audit = (w: Webfilter) => webfilterJson(w) as unknown as Record<string, unknown>;

export type WebfilterJson = WebfilterValues & {
  id: string;
  /** SPEC §12, added by withBreakers (not part of the audited view). */
  breaker?: BreakerView;
  /** Names only: values are write-only and shown as "••••" (SPEC §9). */
  headers: Record<string, string>;
  created_at: string;
  updated_at: string;
};

/** Reserved or invalid header names and values are a 400 (SPEC §9); the rest as invalid() says. */
function invalidWebfilter(error: Parameters<typeof invalid>[0], body: unknown) {
  const f = invalid(error, body);
  return f.issues?.some((i) => i.path.startsWith('headers')) ? { ...f, status: 400 as const } : f;
}

function headerFailure(name: string, message: string) {
  return { ok: false as const, status: 400 as const, error: message, issues: [{ path: `headers.${name}`, message }] };
}

export function webfilterValues(w: Webfilter): WebfilterValues {
  return {
    description: w.description,
    filter_type: w.filterType,
    mode: w.mode ?? 'enforce',
    personal_data: w.personalData ?? 'send',
    url: w.url,
    enabled: w.enabled,
    disable_filtering: w.disableFiltering,
    disable_halting: w.disableHalting,
    halt_on_4xx: w.haltOn4xx,
    redirect_on_4xx: w.redirectOn4xx,
    halt_on_5xx: w.haltOn5xx,
    redirect_on_5xx: w.redirectOn5xx,
    halt_on_request_exception: w.haltOnRequestException,
    redirect_on_request_exception: w.redirectOnRequestException,
    use_www_form_encoding: w.useWwwFormEncoding,
    position: w.position,
  };
}

export function webfilterJson(w: Webfilter): WebfilterJson {
  // The URL's password and query values are write-only, like header values.
  return { id: w.id, ...webfilterValues(w), url: maskTargetUrl(w.url), headers: maskedHeaders(w.headers), created_at: w.createdAt.toISOString(), updated_at: w.updatedAt.toISOString() };
}

/** snake_case values to the row's columns; absent keys stay absent. */
export function webfilterColumns(v: Partial<WebfilterValues>): Partial<Webfilter> {
  const map = {
    description: 'description',
    filter_type: 'filterType',
    mode: 'mode',
    personal_data: 'personalData',
    url: 'url',
    enabled: 'enabled',
    disable_filtering: 'disableFiltering',
    disable_halting: 'disableHalting',
    halt_on_4xx: 'haltOn4xx',
    redirect_on_4xx: 'redirectOn4xx',
    halt_on_5xx: 'haltOn5xx',
    redirect_on_5xx: 'redirectOn5xx',
    halt_on_request_exception: 'haltOnRequestException',
    redirect_on_request_exception: 'redirectOnRequestException',
    use_www_form_encoding: 'useWwwFormEncoding',
    position: 'position',
  } as const satisfies Record<keyof WebfilterValues, keyof Webfilter>;
  const out: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(map)) {
    const value = v[k as keyof WebfilterValues];
    if (value !== undefined) out[col] = value;
  }
  return out as Partial<Webfilter>;
}

export interface Saved {
  row: Webfilter;
  warning: string | null;
}

/** In the order results are applied: by filter, then position, then creation. */
export async function listWebfilters(handle: DbHandle, filter: { filterType?: string } = {}): Promise<Webfilter[]> {
  const q = handle.db.select().from(webfilters);
  return (filter.filterType ? q.where(eq(webfilters.filterType, filter.filterType)) : q).orderBy(
    asc(webfilters.filterType),
    asc(webfilters.position),
    asc(webfilters.createdAt),
    asc(webfilters.id),
  );
}

export async function getWebfilter(handle: DbHandle, id: string): Promise<Webfilter | null> {
  if (!isUuid(id)) return null;
  const [row] = await handle.db.select().from(webfilters).where(eq(webfilters.id, id));
  return row ?? null;
}

/** Without a position, the new webfilter goes last among those of its filter (it overrides them). */
export async function createWebfilter(handle: DbHandle, input: unknown, ctx?: AuditContext): Promise<Result<Saved>> {
  const given = restoreBodyUrl(withoutReadOnly(input), null);
  if (!given.ok) return urlIssue(given.message);
  const body = given.body;
  await platformCatalogReady(handle); // a platform's own types are valid too
  const parsed = webfilterCreate.safeParse(body);
  if (!parsed.success) return invalidWebfilter(parsed.error, body);
  const v = parsed.data;
  const headers = mergeHeaders({}, v.headers ?? {});
  if (!headers.ok) return headerFailure(headers.name, headers.message);
  const row = await handle.db.transaction(async (tx) => {
    let position = v.position;
    if (position === undefined) {
      const [last] = await tx
        .select({ p: max(webfilters.position) })
        .from(webfilters)
        .where(eq(webfilters.filterType, v.filter_type));
      position = last?.p == null ? 0 : last.p + 1;
    }
    const [created] = await tx
      .insert(webfilters)
      .values({ ...(webfilterColumns({ ...v, position }) as typeof webfilters.$inferInsert), headers: headers.headers })
      .returning();
    if (ctx) await recordAudit(tx as unknown as Db, ctx, { action: 'webfilter.created', targetType: 'webfilter', targetId: created!.id, changes: diff(null, audit(created!)) });
    return created!;
  });
  await invalidateTargets(handle);
  return ok({ row, warning: await targetWarning(row.url) });
}

/** Partial update; the option rules are checked on the record as it would be after the change. */
export async function updateWebfilter(handle: DbHandle, id: string, input: unknown, ctx?: AuditContext): Promise<Result<Saved>> {
  if (!isUuid(id)) return notFound('webfilter', id);
  const [stored] = await handle.db.select({ url: webfilters.url }).from(webfilters).where(eq(webfilters.id, id));
  if (!stored) return notFound('webfilter', id);
  // A URL sent back with its masked parts keeps the stored ones (same origin only).
  const given = restoreBodyUrl(withoutReadOnly(input), stored.url);
  if (!given.ok) return urlIssue(given.message);
  const body = given.body;
  await platformCatalogReady(handle); // a platform's own types are valid too
  const parsed = webfilterPatch.safeParse(body);
  if (!parsed.success) return invalidWebfilter(parsed.error, body);
  const { headers: givenHeaders, ...patch } = parsed.data;
  const result = await handle.db.transaction(async (tx): Promise<Result<Webfilter>> => {
    const [current] = await tx.select().from(webfilters).where(eq(webfilters.id, id)).for('update');
    if (!current) return notFound('webfilter', id);
    const issues = optionIssues({ ...webfilterValues(current), ...patch });
    if (issues.length) return rejected(issues);
    let headers: Record<string, string> | undefined;
    if (givenHeaders !== undefined) {
      const merged = mergeHeaders(current.headers ?? {}, givenHeaders);
      if (!merged.ok) return headerFailure(merged.name, merged.message);
      headers = merged.headers;
    }
    const [row] = await tx
      .update(webfilters)
      .set({ ...webfilterColumns(patch), ...(headers !== undefined && { headers }), updatedAt: new Date() })
      .where(eq(webfilters.id, id))
      .returning();
    const changes = { ...diff(audit(current), audit(row!)), ...secretChanges(current, row!) };
    if (ctx && Object.keys(changes).length) await recordAudit(tx as unknown as Db, ctx, { action: 'webfilter.updated', targetType: 'webfilter', targetId: id, changes });
    return ok(row!);
  });
  if (!result.ok) return result;
  await invalidateTargets(handle);
  return ok({ row: result.value, warning: await targetWarning(result.value.url) });
}

export async function deleteWebfilter(handle: DbHandle, id: string, ctx?: AuditContext): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await audited(handle.db, ctx, async (tx) => {
    const gone = await tx.delete(webfilters).where(eq(webfilters.id, id)).returning();
    const entry = gone[0] ? { action: 'webfilter.deleted', targetType: 'webfilter', targetId: id, changes: diff(audit(gone[0]), null) } : null;
    return { value: gone, entry };
  });
  if (rows.length) await invalidateTargets(handle);
  return rows.length > 0;
}

/**
 * Moves a webfilter one place earlier or later among the webfilters of its filter, renumbering that
 * group 0..n-1 so ties (equal positions) cannot make the move a no-op.
 */
export async function moveWebfilter(handle: DbHandle, id: string, direction: 'up' | 'down', ctx?: AuditContext): Promise<Result<Webfilter[]>> {
  if (!isUuid(id)) return notFound('webfilter', id);
  const result = await handle.db.transaction(async (tx): Promise<Result<Webfilter[]>> => {
    const [target] = await tx.select().from(webfilters).where(eq(webfilters.id, id));
    if (!target) return notFound('webfilter', id);
    const group = await tx
      .select()
      .from(webfilters)
      .where(eq(webfilters.filterType, target.filterType))
      .orderBy(asc(webfilters.position), asc(webfilters.createdAt), asc(webfilters.id))
      .for('update');
    const i = group.findIndex((w) => w.id === id);
    const j = direction === 'up' ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= group.length) return ok(group);
    [group[i], group[j]] = [group[j]!, group[i]!];
    const now = new Date();
    const out: Webfilter[] = [];
    for (const [position, w] of group.entries()) {
      if (w.position === position) {
        out.push(w);
        continue;
      }
      const [row] = await tx
        .update(webfilters)
        .set({ position, updatedAt: now })
        .where(and(eq(webfilters.id, w.id), eq(webfilters.filterType, target.filterType)))
        .returning();
      out.push(row!);
    }
    if (ctx) {
      const before = target.position;
      const after = out.find((w) => w.id === id)!.position;
      await recordAudit(tx as unknown as Db, ctx, { action: 'webfilter.moved', targetType: 'webfilter', targetId: id, changes: { position: { before, after } } });
    }
    return ok(out);
  });
  if (result.ok) await invalidateTargets(handle);
  return result;
}

/** Webfilters' JSON with each one's circuit breaker as last stored (SPEC §12). */
export async function withBreakers(handle: DbHandle, rows: readonly Webfilter[]): Promise<WebfilterJson[]> {
  const breakers = await storedBreakers(handle, rows.map((r) => r.id));
  return rows.map((r) => ({ ...webfilterJson(r), breaker: breakers.get(r.id)! }));
}
