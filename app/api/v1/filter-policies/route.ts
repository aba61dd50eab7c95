// Management API (SPEC §12): every filter type's own policy (budget, and what the relay does when unreachable).
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { json } from '@/lib/http/json';
import { listFilterPolicies } from '@/lib/manage/filter-policies';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async () => json({ items: await listFilterPolicies(await getDb()) }));
