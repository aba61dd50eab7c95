// Liveness and database check for load balancers and monitors.
import { sql } from 'drizzle-orm';
import { getDb } from '@/lib/db';
import { json } from '@/lib/http/json';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    const handle = await getDb();
    await Promise.race([
      handle.rows(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000)),
    ]);
    return json({ status: 'ok', database: 'ok' });
  } catch {
    return json({ status: 'error', database: 'unavailable' }, 503);
  }
}
