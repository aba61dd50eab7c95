// Management API: list webhooks (optionally for one event type) and create one; the create answer holds the secret.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { findEvent } from '@/lib/catalog';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { failureResponse } from '@/lib/manage/result';
import { createWebhook, listWebhooks, webhookJson } from '@/lib/manage/webhooks';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async (req) => {
  const type = new URL(req.url).searchParams.get('event_type');
  const eventType = type ? (findEvent(type)?.eventType ?? type) : undefined;
  const rows = await listWebhooks(await getDb(), { eventType });
  return json(rows.map(webhookJson));
});

export const POST = withAdmin(async (req, _ctx, actor) => {
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const saved = await createWebhook(await getDb(), body.value, auditOf(req, actor));
  if (!saved.ok) return failureResponse(saved);
  const { row, warning } = saved.value;
  return json({ ...webhookJson(row), secret: row.secret }, 201, {
    location: `/api/v1/webhooks/${row.id}`,
    ...(warning && { 'x-target-warning': warning }),
  });
});
