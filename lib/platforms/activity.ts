// Which platforms call, and how often (SPEC §8 Connections), without a database write per call: calls are
// counted in memory and written every FLUSH_MS as one upsert per platform and hour. A platform is a host and
// variant (LMS or Studio); calls are told apart by API key, variant (the relay's user agent) and events' host.
import { sql } from 'drizzle-orm';
import type { DbHandle } from '../db/client';
import { logger } from '../log';

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
const states = ((globalThis as { [STATES]?: WeakMap<DbHandle, State> })[STATES] ??= new WeakMap());

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
  const host = typeof call.host === 'string' ? call.host.trim().toLowerCase().slice(0, MAX_TEXT) || null : null;
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
        // The platform is the host its relay reported in a catalog sync with this key (events' sourcehost names
        // the machine, one of maybe several behind the platform); else the events' host; else, for filter
        // calls, which carry none, the host this key's calls came from last.
        const host = sql`coalesce(
          (select host from platforms where api_key_id = ${t.keyId}::uuid and variant = ${t.variant} and catalog is not null
            order by catalog_updated_at desc limit 1),
          ${t.host}::text,
          (select host from platforms where api_key_id = ${t.keyId}::uuid and variant = ${t.variant} order by last_seen_at desc limit 1),
          '')`;
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
    logger().warn({ err }, 'cannot record platform activity; counts kept for the next try');
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
