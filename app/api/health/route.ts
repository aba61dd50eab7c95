// Liveness and database check for load balancers and monitors, with the version and where its source is (AGPL §13).
import { sql } from 'drizzle-orm';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json } from '@/lib/http/json';
import { VERSION } from '@/lib/version';

export const dynamic = 'force-dynamic';

export async function GET() {
  const about = { version: VERSION, source: env().SOURCE_URL };
  try {
    const handle = await getDb();
    await Promise.race([
      handle.rows(sql`select 1`),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000)),
    ]);
    return json({ status: 'ok', database: 'ok', ...about });
  } catch {
    return json({ status: 'error', database: 'unavailable', ...about }, 503);
  }
}
