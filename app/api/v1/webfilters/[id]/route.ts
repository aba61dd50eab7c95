// Management API: read, change (partially) or delete one webfilter.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { failureResponse, notFound } from '@/lib/manage/result';
import { deleteWebfilter, getWebfilter, updateWebfilter, withBreakers } from '@/lib/manage/webfilters';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withAdmin(async (_req, { params }: Ctx) => {
  const { id } = await params;
  const handle = await getDb();
  const row = await getWebfilter(handle, id);
  return row ? json((await withBreakers(handle, [row]))[0]) : failureResponse(notFound('webfilter', id));
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
  return json((await withBreakers(handle, [row]))[0], 200, warning ? { 'x-target-warning': warning } : undefined);
});

export const DELETE = withAdmin(async (req, { params }: Ctx, actor) => {
  const { id } = await params;
  if (!(await deleteWebfilter(await getDb(), id, auditOf(req, actor)))) return failureResponse(notFound('webfilter', id));
  return new Response(null, { status: 204 });
});
