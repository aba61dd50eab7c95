// Management API (owners): change a user's role, or remove them; never the last owner.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { failureResponse, notFound } from '@/lib/manage/result';
import { changeRole, getUser, removeUser, userJson } from '@/lib/team/users';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const PATCH = withAdmin(async (req, { params }: Ctx, actor) => {
  const { id } = await params;
  const handle = await getDb();
  if (!(await getUser(handle.db, id))) return failureResponse(notFound('user', id));
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const changed = await changeRole(handle, id, body.value, auditOf(req, actor));
  return changed.ok ? json(userJson(changed.value)) : failureResponse(changed);
}, 'owner');

export const DELETE = withAdmin(async (req, { params }: Ctx, actor) => {
  const { id } = await params;
  const removed = await removeUser(await getDb(), id, auditOf(req, actor));
  return removed.ok ? new Response(null, { status: 204 }) : failureResponse(removed);
}, 'owner');
