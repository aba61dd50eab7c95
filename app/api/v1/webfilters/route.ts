// Management API: list webfilters in the order they apply (optionally for one filter type) and create one.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { findFilter } from '@/lib/catalog';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { failureResponse } from '@/lib/manage/result';
import { createWebfilter, listWebfilters, withBreakers } from '@/lib/manage/webfilters';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async (req) => {
  const type = new URL(req.url).searchParams.get('filter_type');
  const filterType = type ? (findFilter(type)?.filterType ?? type) : undefined;
  const handle = await getDb();
  return json(await withBreakers(handle, await listWebfilters(handle, { filterType })));
});

export const POST = withAdmin(async (req, _ctx, actor) => {
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const handle = await getDb();
  const saved = await createWebfilter(handle, body.value, auditOf(req, actor));
  if (!saved.ok) return failureResponse(saved);
  const { row, warning } = saved.value;
  return json((await withBreakers(handle, [row]))[0], 201, {
    location: `/api/v1/webfilters/${row.id}`,
    ...(warning && { 'x-target-warning': warning }),
  });
});
