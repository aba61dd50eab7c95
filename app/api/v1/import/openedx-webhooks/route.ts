// Management API: import the openedx-webhooks plugin's webhooks and webfilters from its dumpdata JSON.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { importOpenedxWebhooks } from '@/lib/import/run';
import { json, jsonError, readJsonBody } from '@/lib/http/json';
import { failureResponse } from '@/lib/manage/result';

export const dynamic = 'force-dynamic';

const FLAG: Record<string, boolean> = { '': true, '1': true, true: true, '0': false, false: false };

export const POST = withAdmin(async (req, _ctx, actor) => {
  const raw = new URL(req.url).searchParams.get('dry_run') ?? '0';
  const dryRun = FLAG[raw.toLowerCase()];
  if (dryRun === undefined) return jsonError(400, `dry_run must be 1 (preview, change nothing) or 0, not "${raw.slice(0, 20)}".`);
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const report = await importOpenedxWebhooks(await getDb(), body.value, { dryRun }, auditOf(req, actor));
  if (!report.ok) return failureResponse(report);
  return json(report.value);
});
