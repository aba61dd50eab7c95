// Which platforms call, and how often (SPEC §8 Connections), without a database write per call: calls are
// counted in memory and written every FLUSH_MS as one upsert per platform and hour.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';

const FLUSH_MS = 5_000;
const MAX_TEXT = 255;

/** `openedx-webhooks-relay/<version> (<lms|cms>; openedx-events/<v>; openedx-filters/<v>)` */
export interface RelayAgent {
  relay: string;
  variant: 'lms' | 'cms' | '';
  events: string | null;
  filters: string | null;
}

export function parseRelayAgent(ua: string | null | undefined): RelayAgent | null {
  const m = /^openedx-webhooks-relay\/(\S+)(?:\s*\(([^)]*)\))?/.exec(ua?.trim() ?? '');
  if (!m) return null;
  const parts = (m[2] ?? '').split(';').map((p) => p.trim());
  const lib = (name: string) => parts.find((p) => p.startsWith(`${name}/`))?.slice(name.length + 1).slice(0, 100) || null;
  const variant = parts.find((p) => p === 'lms' || p === 'cms') as 'lms' | 'cms' | undefined;
  return { relay: m[1]!.slice(0, 100), variant: variant ?? '', events: lib('openedx-events'), filters: lib('openedx-filters') };
}

/** metadata.source "openedx/lms/web" -> lms, "openedx/cms/web" -> cms. */
function variantOfSource(source: string | null | undefined): 'lms' | 'cms' | '' {
  const m = /^openedx\/(lms|cms)\b/.exec(source ?? '');
  return (m?.[1] as 'lms' | 'cms' | undefined) ?? '';
}

interface Tally {
  host: string | null;
  variant: string;
  keyId: string;
  events: number;
  filters: number;
  lastSeen: number;
  agent: RelayAgent | null;
}

interface State {
  pending: Map<string, Tally>;
  timer: ReturnType<typeof setTimeout> | null;
  flushing: Promise<void>;
  prunedAt: number;
}
const STATES = Symbol.for('openedx-webhooks.platform-activity');
const HOSTS = Symbol.for('openedx-webhooks.platform-key-hosts');
const g = globalThis as { [STATES]?: WeakMap<DbHandle, State>; [HOSTS]?: Map<string, string> };
const states = (g[STATES] ??= new WeakMap());
/** api key id + variant -> host: filter calls carry no host, so they count for the host their key last sent. */
const keyHosts = (g[HOSTS] ??= new Map());

export function rememberKeyHost(keyId: string, variant: string, host: string) {
  if (keyHosts.size > 10_000) keyHosts.clear();
  keyHosts.set(`${keyId}|${variant}`, host);
}

function stateOf(handle: DbHandle): State {
  let st = states.get(handle);
  if (!st) states.set(handle, (st = { pending: new Map(), timer: null, flushing: Promise.resolve(), prunedAt: 0 }));
  return st;
}

export interface Call {
  kind: 'event' | 'filter';
  userAgent: string | null;
  keyId: string;
  /** metadata.sourcehost of an event. */
  host?: string | null;
  /** metadata.source of an event. */
  source?: string | null;
}

/** Counts one accepted call; calls neither from the relay nor naming their host are not platforms'. */
export function recordCall(handle: DbHandle, call: Call, now = Date.now()): void {
  const agent = parseRelayAgent(call.userAgent);
  const variant = agent?.variant || variantOfSource(call.source);
  let host = typeof call.host === 'string' ? call.host.trim().toLowerCase().slice(0, MAX_TEXT) || null : null;
  if (host) rememberKeyHost(call.keyId, variant, host);
  else host = keyHosts.get(`${call.keyId}|${variant}`) ?? null;
  if (!agent && !host) return;
  const st = stateOf(handle);
  const k = `${host ?? ''}|${variant}|${call.keyId}`;
  let t = st.pending.get(k);
  if (!t) st.pending.set(k, (t = { host, variant, keyId: call.keyId, events: 0, filters: 0, lastSeen: now, agent }));
  if (call.kind === 'event') t.events++;
  else t.filters++;
  t.lastSeen = Math.max(t.lastSeen, now);
  if (agent) t.agent = agent;
  if (!st.timer) {
    st.timer = setTimeout(() => void flushActivity(handle), FLUSH_MS);
    st.timer.unref?.();
  }
}

/** Writes the counted calls now (the page calls it before reading; tests too). */
export function flushActivity(handle: DbHandle): Promise<void> {
  const st = stateOf(handle);
  if (st.timer) clearTimeout(st.timer);
  st.timer = null;
  const batch = [...st.pending.values()];
  st.pending = new Map();
  st.flushing = st.flushing.then(() => (batch.length ? write(handle, st, batch) : undefined));
  return st.flushing;
}

async function write(handle: DbHandle, st: State, batch: Tally[]): Promise<void> {
  try {
    await handle.db.transaction(async (tx) => {
      for (const t of batch) {
        const a = t.agent;
        const seen = new Date(t.lastSeen).toISOString();
        // A filter call's host is its key's platform, found here when this process has not seen it.
        const host = t.host ?? sql`coalesce((select host from platforms where api_key_id = ${t.keyId}::uuid and variant = ${t.variant}
                                             order by last_seen_at desc limit 1), '')`;
        await tx.execute(sql`
          with p as (
            insert into platforms (host, variant, relay_version, events_version, filters_version, api_key_id, first_seen_at, last_seen_at)
            values (${host}, ${t.variant}, ${a?.relay ?? null}, ${a?.events ?? null}, ${a?.filters ?? null}, ${t.keyId}::uuid,
                    ${seen}::timestamptz, ${seen}::timestamptz)
            on conflict (host, variant) do update set
              relay_version = coalesce(excluded.relay_version, platforms.relay_version),
              events_version = coalesce(excluded.events_version, platforms.events_version),
              filters_version = coalesce(excluded.filters_version, platforms.filters_version),
              api_key_id = excluded.api_key_id,
              last_seen_at = greatest(platforms.last_seen_at, excluded.last_seen_at)
            returning host, variant
          )
          insert into platform_activity (host, variant, hour, events, filter_calls)
          select host, variant, date_trunc('hour', ${seen}::timestamptz), ${t.events}::int, ${t.filters}::int from p
          on conflict (host, variant, hour) do update set
            events = platform_activity.events + excluded.events,
            filter_calls = platform_activity.filter_calls + excluded.filter_calls`);
      }
      if (Date.now() - st.prunedAt > 3_600_000) {
        st.prunedAt = Date.now();
        await tx.execute(sql`delete from platform_activity where hour < now() - interval '2 days'`);
      }
    });
  } catch (err) {
    console.error('[connections] cannot record platform activity; counts kept for the next try:', err);
    for (const t of batch) {
      const k = `${t.host ?? ''}|${t.variant}|${t.keyId}`;
      const cur = st.pending.get(k);
      if (cur) {
        cur.events += t.events;
        cur.filters += t.filters;
      } else if (st.pending.size < 10_000) st.pending.set(k, t);
    }
  }
}
