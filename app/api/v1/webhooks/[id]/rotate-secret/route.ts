// Management API: replace a webhook's signing secret; the only answer besides creation that holds a secret.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { json } from '@/lib/http/json';
import { failureResponse, notFound } from '@/lib/manage/result';
import { rotateWebhookSecret, webhookJson } from '@/lib/manage/webhooks';

export const dynamic = 'force-dynamic';

export const POST = withAdmin(async (req, { params }: { params: Promise<{ id: string }> }, actor) => {
  const { id } = await params;
  const rotated = await rotateWebhookSecret(await getDb(), id, auditOf(req, actor));
  if (!rotated) return failureResponse(notFound('webhook', id));
  return json({ ...webhookJson(rotated.row), secret: rotated.secret });
});
