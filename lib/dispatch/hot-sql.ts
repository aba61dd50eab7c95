// Raw statements on the hot paths (ingest, claim, completion), prepared once per connection on PostgreSQL:
// drizzle's execute() sends them unprepared, and parsing and planning these CTEs each time roughly
// halved ingest throughput in bench/events-ingest.ts. Parameters are $1…; JSON goes in as text.
import type { DbHandle } from '../db/client';

interface PostgresJs {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]>;
}
interface Pglite {
  query<T>(text: string, params: unknown[]): Promise<{ rows: T[] }>;
}

export async function hotRows<T>(handle: DbHandle, text: string, params: unknown[]): Promise<T[]> {
  const client = (handle.db as unknown as { $client: unknown }).$client;
  if (handle.kind === 'postgres') return (await (client as PostgresJs).unsafe(text, params, { prepare: true })) as T[];
  return (await (client as Pglite).query<T>(text, params)).rows;
}
