// LMS → filters (SPEC §5): call the webfilters for one Open edX filter and answer with the result.
import { after } from 'next/server';
import { withApiKey } from '@/lib/auth/api-key-guard';
import { getDb } from '@/lib/db';
import { webfiltersFor } from '@/lib/dispatch/targets';
import { parseFilterRequest, runFilter, writeFilterLog } from '@/lib/dispatch/filters';
import { env } from '@/lib/env';
import { json, jsonError, readJsonBody } from '@/lib/http/json';

export const dynamic = 'force-dynamic';

export const POST = withApiKey('filters', async (req) => {
  const startedAt = performance.now();
  const e = env();
  const body = await readJsonBody(req, e.MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const parsed = parseFilterRequest(body.value);
  if (!parsed.ok) return jsonError(parsed.status, parsed.error, parsed.issues);

  const handle = await getDb();
  const webfilters = await webfiltersFor(handle, parsed.filter.filterType);
  const run = await runFilter({
    filter: parsed.filter,
    data: parsed.data,
    webfilters,
    timeoutMs: e.FILTER_TIMEOUT_MS,
    allowPrivate: e.ALLOW_PRIVATE_TARGETS,
    startedAt,
    maxResponseBytes: e.MAX_BODY_BYTES,
  });
  if (webfilters.length === 0) return json(run.response);
  const write = () => writeFilterLog(handle, run.entries);
  try {
    after(write);
  } catch {
    // Outside a Next.js request scope (tests, the bench's plain node:http server) there is no after().
    void write();
  }
  return json(run.response);
});
