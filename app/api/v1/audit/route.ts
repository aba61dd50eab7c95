// Management API (owners): the audit log, newest first, in keyset pages. Read-only: no route changes it.
import { withAdmin } from '@/lib/auth/admin-guard';
import { listAudit, parseAuditQuery } from '@/lib/audit/list';
import { getDb } from '@/lib/db';
import { json, jsonError } from '@/lib/http/json';

export const dynamic = 'force-dynamic';

export const GET = withAdmin(async (req) => {
  const parsed = parseAuditQuery(new URL(req.url).searchParams);
  if (!parsed.ok) return jsonError(400, parsed.error, parsed.issues);
  const { db } = await getDb();
  return json(await listAudit(db, parsed.query));
}, 'owner');
