// Management API (SPEC §13): every stored event and delivery mentioning one learner (an access request), owners only.
import { withAdmin } from '@/lib/auth/admin-guard';
import { getDb } from '@/lib/db';
import { json } from '@/lib/http/json';
import { failureResponse } from '@/lib/manage/result';
import { exportLearner } from '@/lib/personal/retire';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async (req) => {
  const found = await exportLearner(await getDb(), Object.fromEntries(new URL(req.url).searchParams));
  return found.ok ? json(found.value) : failureResponse(found);
}, 'owner');
