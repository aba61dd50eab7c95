// Management API: replay a webhook's stored events of a time range (SPEC §9). dry_run answers the count only.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { recordAudit, replayEntry } from '@/lib/audit/record';
import { getDb } from '@/lib/db';
import { replayRequest, replayWebhook } from '@/lib/dispatch/replay';
import { env } from '@/lib/env';
import { firstIssueSentence, json, jsonError, readJsonBody, zodIssues } from '@/lib/http/json';
import { failureResponse, notFound } from '@/lib/manage/result';
import { getWebhook } from '@/lib/manage/webhooks';

export const dynamic = 'force-dynamic';

export const POST = withAdmin(async (req, { params }: { params: Promise<{ id: string }> }, actor) => {
  const { id } = await params;
  const handle = await getDb();
  const hook = await getWebhook(handle, id);
  if (!hook) return failureResponse(notFound('webhook', id));
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const parsed = replayRequest.safeParse(body.value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    return jsonError(400, issues[0]?.path === "(body)" ? firstIssueSentence(issues) : issues[0]!.message, issues);
  }
  const r = await replayWebhook(handle, hook, parsed.data);
  if (r.ok && !parsed.data.dry_run) await recordAudit(handle.db, auditOf(req, actor), replayEntry(id, parsed.data, r.deliveries));
  return r.ok ? json({ deliveries: r.deliveries, ...(parsed.data.dry_run && { dry_run: true }) }) : jsonError(r.status, r.error);
}, 'editor');
