// LMS → filters (SPEC §5): call the webfilters for one Open edX filter and answer with the result.
import { after } from 'next/server';
import { withApiKey } from '@/lib/auth/api-key-guard';
import { getDb } from '@/lib/db';
import { filterPolicyFor, webfiltersFor } from '@/lib/dispatch/targets';
import { parseFilterRequest, runFilter, writeFilterLog } from '@/lib/dispatch/filters';
import { env } from '@/lib/env';
import { json, jsonError, readJsonBody } from '@/lib/http/json';
import { requestIdOf } from '@/lib/http/request-id';
import { countedFilters } from '@/lib/metrics/lms-routes';
import { observeFilterRun } from '@/lib/metrics/observe';
import { recordCall } from '@/lib/platforms/activity';
import { platformCatalogReady, refreshPlatformCatalog } from '@/lib/platforms/catalog';

export const dynamic = 'force-dynamic';

export const POST = countedFilters(withApiKey('filters', async (req, _ctx, key) => {
  const startedAt = performance.now();
  const e = env();
  const body = await readJsonBody(req, e.MAX_BODY_BYTES);
  if (!body.ok) return body.response;
  const handle = await getDb();
  await platformCatalogReady(handle);
  let parsed = parseFilterRequest(body.value);
  // An unknown type may have been synced by another process a moment ago: look once more.
  if (!parsed.ok && parsed.status === 422 && (await refreshPlatformCatalog(handle))) parsed = parseFilterRequest(body.value);
  if (!parsed.ok) return jsonError(parsed.status, parsed.error, parsed.issues);
  recordCall(handle, { kind: 'filter', userAgent: req.headers.get('user-agent'), keyId: key.id });

  const [webfilters, policy] = await Promise.all([webfiltersFor(handle, parsed.filter.filterType), filterPolicyFor(handle, parsed.filter.filterType)]);
  const run = await runFilter({
    filter: parsed.filter,
    data: parsed.data,
    webfilters,
    // SPEC §12: the type's own budget, else FILTER_TIMEOUT_MS.
    timeoutMs: policy?.timeoutMs ?? e.FILTER_TIMEOUT_MS,
    allowPrivate: e.ALLOW_PRIVATE_TARGETS,
    startedAt,
    maxResponseBytes: e.MAX_BODY_BYTES,
  });
  const requestId = requestIdOf(req);
  observeFilterRun(run, startedAt, webfilters.length, requestId);
  if (webfilters.length === 0) return json(run.response);
  const whole = { filterType: parsed.filter.filterType, at: new Date(), durationMs: Math.round(performance.now() - startedAt), summary: run.summary };
  const write = () => writeFilterLog(handle, run.entries, requestId, whole);
  try {
    after(write);
  } catch {
    // Outside a Next.js request scope (tests, the bench's plain node:http server) there is no after().
    void write();
  }
  return json(run.response);
}));
