// Management API (SPEC §12): filter health over a time range (default: the last 24 hours).
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { json } from '@/lib/http/json';
import { filterStats } from '@/lib/manage/filter-stats';
import { failureResponse } from '@/lib/manage/result';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async (req) => {
  const query = Object.fromEntries(new URL(req.url).searchParams);
  const stats = await filterStats(await getDb(), query);
  return stats.ok ? json(stats.value) : failureResponse(stats);
});
