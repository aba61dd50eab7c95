// Management API (SPEC §13): retire a learner (the relay's "events" key, an admin key or an owner), and the list.
import { withAdmin } from '@/lib/auth/admin-guard';
import { auditOf } from '@/lib/audit/context';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { json, readJsonBody } from '@/lib/http/json';
import { failureResponse } from '@/lib/manage/result';
import { listRetirements, retire } from '@/lib/personal/retire';

export const dynamic = 'force-dynamic';

export const POST = withAdmin(
  async (req, _ctx, actor) => {
    const body = await readJsonBody(req, env().MAX_BODY_BYTES);
    if (!body.ok) return body.response;
    // The relay sends its outbox row's id as Idempotency-Key: a retirement sent again is answered, not done twice.
    const done = await retire(await getDb(), body.value, auditOf(req, actor), req.headers.get('idempotency-key'));
    if (!done.ok) return failureResponse(done);
    // Done by the time it answers; 202 as the contract says, with the status.
    return json({ id: done.value.id, status: 'done' }, 202);
  },
  'owner',
  'events',
);

export const GET = withAdmin(async () => json({ items: await listRetirements(await getDb()) }), 'owner');
