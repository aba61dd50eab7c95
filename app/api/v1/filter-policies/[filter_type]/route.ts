// Management API (SPEC §12): set one filter type's policy, or return it to the defaults.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { deleteFilterPolicy, putFilterPolicy } from '@/lib/manage/filter-policies';
import { failureResponse } from '@/lib/manage/result';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ filter_type: string }> };

export const PUT = withAdmin(async (req, { params }: Ctx, actor) => {
  const { filter_type } = await params;
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const saved = await putFilterPolicy(await getDb(), filter_type, body.value, auditOf(req, actor));
  return saved.ok ? json(saved.value) : failureResponse(saved);
});

export const DELETE = withAdmin(async (req, { params }: Ctx, actor) => {
  const { filter_type } = await params;
  const gone = await deleteFilterPolicy(await getDb(), filter_type, auditOf(req, actor));
  return gone.ok ? new Response(null, { status: 204 }) : failureResponse(gone);
});
