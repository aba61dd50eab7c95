// Prometheus metrics (SPEC §11): Bearer METRICS_TOKEN, or an API key with the "metrics" scope.
import { bearerToken, checkApiKey } from '@/lib/auth/api-key-guard';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { jsonError } from '@/lib/http/json';
import { logger } from '@/lib/log';
import { isMetricsToken, scrapeMetrics } from '@/lib/metrics/scrape';

export const dynamic = 'force-dynamic';

export async function GET(req: Request): Promise<Response> {
  try {
    const e = env();
    if (!isMetricsToken(bearerToken(req), e.METRICS_TOKEN)) {
      const check = await checkApiKey(req, 'metrics');
      if (!check.ok) return check.response;
    }
    const { text, contentType } = await scrapeMetrics(await getDb(), e.WORKER_HEARTBEAT_TIMEOUT);
    return new Response(text, { headers: { 'content-type': contentType, 'cache-control': 'no-store' } });
  } catch (err) {
    logger().error({ err, path: '/api/metrics' }, 'request failed');
    return jsonError(500, 'The service failed to handle this request; the error has been logged.');
  }
}
