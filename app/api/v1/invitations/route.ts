// Management API (owners): invite someone; the answer holds the link (shown once) and when it expires.
import { withAdmin } from '@/lib/auth/admin-guard';
import { requestOrigin } from '@/lib/auth/origin';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { failureResponse } from '@/lib/manage/result';
import { createInvitation, invitationPath } from '@/lib/team/invitations';
import { mailInvitation } from '@/lib/team/mail';

export const dynamic = 'force-dynamic';

export const POST = withAdmin(async (req, _ctx, actor) => {
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const created = await createInvitation(await getDb(), body.value, auditOf(req, actor), { createdBy: actor.type === 'user' ? actor.id : null });
  if (!created.ok) return failureResponse(created);
  const { token, invitation } = created.value;
  const url = `${requestOrigin(req.headers) ?? new URL(req.url).origin}${invitationPath(token)}`;
  const mail = await mailInvitation(invitation.email, url, invitation.expiresAt, actor.label);
  void mail;
  return json({ url, expires_at: invitation.expiresAt.toISOString() }, 201);
}, 'owner');
