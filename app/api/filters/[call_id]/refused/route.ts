// Relay → the changes it refused to apply from a filter call's answer, shown in that call's delivery log.
import { withApiKey } from '@/lib/auth/api-key-guard';
import { getDb } from '@/lib/db';
import { recordRefused, refusedReport } from '@/lib/dispatch/filters/refused';
import { env } from '@/lib/env';
import { json, jsonError, readJsonBody } from '@/lib/http/json';
import { invalid } from '@/lib/manage/result';
import { failureResponse } from '@/lib/manage/result';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ call_id: string }> };

export const POST = withApiKey('filters', async (req, { params }: Ctx) => {
  const { call_id } = await params;
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const parsed = refusedReport.safeParse(body.value);
  if (!parsed.success) return failureResponse(invalid(parsed.error, body.value));
  const updated = await recordRefused(await getDb(), call_id, parsed.data.refused);
  if (!updated) return jsonError(404, `No logged filter call has the id "${call_id}".`);
  return json({ updated });
});
