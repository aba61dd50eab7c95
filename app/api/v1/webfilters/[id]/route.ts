// Management API: read, change (partially) or delete one webfilter.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { failureResponse, notFound } from '@/lib/manage/result';
import { deleteWebfilter, getWebfilter, updateWebfilter, webfilterJson } from '@/lib/manage/webfilters';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withAdmin(async (_req, { params }: Ctx) => {
  const { id } = await params;
  const row = await getWebfilter(await getDb(), id);
  return row ? json(webfilterJson(row)) : failureResponse(notFound('webfilter', id));
});

export const PATCH = withAdmin(async (req, { params }: Ctx, actor) => {
  const { id } = await params;
  const handle = await getDb();
  // An unknown id is a 404 whatever the body holds.
  if (!(await getWebfilter(handle, id))) return failureResponse(notFound('webfilter', id));
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const saved = await updateWebfilter(handle, id, body.value, auditOf(req, actor));
  if (!saved.ok) return failureResponse(saved);
  const { row, warning } = saved.value;
  return json(webfilterJson(row), 200, warning ? { 'x-target-warning': warning } : undefined);
});

export const DELETE = withAdmin(async (req, { params }: Ctx, actor) => {
  const { id } = await params;
  if (!(await deleteWebfilter(await getDb(), id, auditOf(req, actor)))) return failureResponse(notFound('webfilter', id));
  return new Response(null, { status: 204 });
});
