// The service's catalog = built-in + every platform's (SPEC §8), kept in lib/catalog's overlay. Loaded from
// the database once, then checked in the background at most every CHECK_MS (and at once on a change notice),
// so /api/events and /api/filters never wait on the database for it once the first load is done.
import { sql } from 'drizzle-orm';
import {
  catalogOverlayVersion, mergePlatformCatalogs, platformOnlyCatalog, setCatalogOverlay, type PlatformCatalog, type PlatformOnlyCatalog,
} from '../catalog';
import type { DbHandle } from '../db/client';
import { logger } from '../log';

export const CATALOG_CHANNEL = 'oewh_catalog';
const CHECK_MS = 3_000;

interface State {
  /** The stamp loaded last; null before the first load. */
  version: string | null;
  checkedAt: number;
  inflight: Promise<void> | null;
}
const STATES = Symbol.for('openedx-webhooks.platform-catalog');
const states = ((globalThis as { [STATES]?: WeakMap<DbHandle, State> })[STATES] ??= new WeakMap<DbHandle, State>());

function stateOf(handle: DbHandle): State {
  let st = states.get(handle);
  if (!st) {
    const fresh: State = { version: null, checkedAt: 0, inflight: null };
    states.set(handle, fresh);
    st = fresh;
    void handle.listen(CATALOG_CHANNEL, () => void (fresh.checkedAt = 0)).catch(() => {});
  }
  return st;
}

/** A cheap stamp that changes whenever any platform's catalog does. */
async function stamp(handle: DbHandle): Promise<string> {
  const [r] = await handle.rows<{ n: number; at: string | null }>(
    sql`select count(*)::int as n, max(catalog_updated_at)::text as at from platforms where catalog is not null`,
  );
  return `${r?.n ?? 0}@${r?.at ?? '-'}`;
}

async function refresh(handle: DbHandle, st: State): Promise<void> {
  try {
    const version = await stamp(handle);
    // Another handle may have set the overlay in between (tests open several): compare with it too.
    if (version !== st.version || catalogOverlayVersion() !== version) {
      const rows = await handle.rows<{ catalog: PlatformCatalog }>(
        sql`select catalog from platforms where catalog is not null order by host, variant`,
      );
      setCatalogOverlay({ version, ...mergePlatformCatalogs(rows.map((r) => r.catalog)) });
      st.version = version;
    }
  } catch (err) {
    logger().error({ err }, "cannot load the platforms' catalogs; using what is loaded");
    st.version ??= '';
  } finally {
    st.checkedAt = Date.now();
    st.inflight = null;
  }
}

function start(handle: DbHandle, st: State): Promise<void> {
  return (st.inflight ??= refresh(handle, st));
}

const DONE = Promise.resolve();

/** Before a catalog lookup: waits only for the first load; later checks run in the background. */
export function platformCatalogReady(handle: DbHandle): Promise<void> {
  const st = stateOf(handle);
  if (st.version === null) return start(handle, st);
  if (Date.now() - st.checkedAt > CHECK_MS) void start(handle, st);
  return DONE;
}

/**
 * Checks now unless checked within maxAgeMs: after an unknown type (it may have just been synced elsewhere)
 * and after this process stored a sync. True when the catalog changed.
 */
export async function refreshPlatformCatalog(handle: DbHandle, maxAgeMs = 1_000): Promise<boolean> {
  const st = stateOf(handle);
  if (st.inflight) await st.inflight;
  const before = st.version;
  if (before !== null && Date.now() - st.checkedAt < maxAgeMs) return false;
  await start(handle, st);
  return st.version !== before;
}

/** What an editor page passes its form: the entries only platforms know, loaded first. */
export async function editorCatalog(handle: DbHandle): Promise<PlatformOnlyCatalog> {
  await platformCatalogReady(handle);
  return platformOnlyCatalog();
}
