// Raw statements on the hot paths (ingest, claim, completion), prepared once per connection on PostgreSQL:
// drizzle's execute() sends them unprepared, and parsing and planning these CTEs each time roughly
// halved ingest throughput in bench/events-ingest.ts. Parameters are $1…; JSON goes in as text.
import type { DbHandle } from '../db/client';
import { backgroundTurn } from './foreground';

interface PostgresJs {
  unsafe(text: string, params?: unknown[], options?: { prepare: boolean }): Promise<unknown[]>;
  begin<T>(fn: (tx: PostgresJs) => Promise<T>): Promise<T>;
}
interface Pglite {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  transaction<T>(fn: (tx: Pglite) => Promise<T>): Promise<T>;
}

const clientOf = (handle: DbHandle) => (handle.db as unknown as { $client: unknown }).$client;

export async function hotRows<T>(handle: DbHandle, text: string, params: unknown[]): Promise<T[]> {
  const client = clientOf(handle);
  if (handle.kind === 'postgres') return (await (client as PostgresJs).unsafe(text, params, { prepare: true })) as T[];
  return (await (client as Pglite).query<T>(text, params)).rows;
}

// The queue's reads walk deliveries_target_due_idx in order and stop after a batch (queue.ts). Left to its
// estimates, the planner reads the whole due backlog instead (bitmap heap scan, then a sort that LockRows
// keeps from being bounded: ~20 ms per claim at 50k pending, and 56 ms under bench/load-events.ts) whenever
// its picture of the table is older than the table: a generic plan kept since the queue was small (a
// prepared statement plans for an unknown LIMIT as 10 % of the rows), or statistics that ANALYZE has not
// caught up with (autovacuum lags behind a burst of inserts; PGlite never analyzes). So these statements go
// unprepared (planned for their actual LIMIT each time, ~0.1 ms) inside a transaction that rules out the
// backlog-wide plans: no sequential or bitmap scan of the table, no sort where an index gives the order.
// Ruling a plan out adds a huge constant to its cost, which would also trip JIT compilation (~300 ms per
// statement): so no JIT either; these statements run in a millisecond.
const INDEX_ORDER = `select set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
  set_config('enable_sort', 'off', true), set_config('jit', 'off', true), set_config('synchronous_commit', 'off', true)`;

/** A parameter written into the statement: finite numbers, and strings (quoted; standard_conforming_strings). */
function literal(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && !v.includes('\u0000')) return `'${v.replaceAll("'", "''")}'`;
  throw new TypeError(`queue statement parameter not a finite number or a string: ${String(v)}`);
}

/** $1… replaced by literals, from the highest number down so $1 does not eat the start of $10. */
export function inline(text: string, params: readonly unknown[]): string {
  let out = text;
  for (let i = params.length; i >= 1; i--) out = out.replaceAll(`$${i}`, literal(params[i - 1]));
  return out;
}

/**
 * Runs a queue statement planned as an ordered index walk, whatever the table's statistics say. On PostgreSQL
 * in one round trip: the settings and the statement go as one simple-protocol message, which the server runs
 * as one transaction (so the settings, local to it, end with it). postgres-js's begin() waits for BEGIN and
 * for COMMIT, and sends a statement with parameters that is not prepared in two steps (its parameter types
 * first): four round trips per claim, which under load cost more than the claim itself. So the parameters
 * (numbers, and strings quoted) are written into the text.
 */
export async function queueRows<T>(handle: DbHandle, text: string, params: unknown[]): Promise<T[]> {
  await backgroundTurn(handle);
  const client = clientOf(handle);
  if (handle.kind === 'postgres') {
    const results = (await (client as PostgresJs).unsafe(`${INDEX_ORDER};\n${inline(text, params)}`, [], {
      simple: true,
    } as never)) as unknown[];
    // One result per statement: the settings', then ours.
    return results.at(-1) as T[];
  }
  return (client as Pglite).transaction(async (tx) => {
    await tx.query(INDEX_ORDER);
    return (await tx.query<T>(text, params)).rows;
  });
}
