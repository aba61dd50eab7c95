// Management API (owners): the team's users, and adding one with a password.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { failureResponse } from '@/lib/manage/result';
import { createUser, listUsers, userJson } from '@/lib/team/users';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async () => {
  const { db } = await getDb();
  return json((await listUsers(db)).map(userJson));
}, 'owner');

export const POST = withAdmin(async (req, _ctx, actor) => {
  const body = await readJsonBody(req, env().MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const created = await createUser(await getDb(), body.value, auditOf(req, actor));
  if (!created.ok) return failureResponse(created);
  return json(userJson(created.value), 201, { location: `/api/v1/users/${created.value.id}` });
}, 'owner');
