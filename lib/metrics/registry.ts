// The Prometheus metrics (SPEC §11), all named openedx_webhooks_*. Counters and histograms count what this
// process did; the queue and worker figures are read from the database at scrape time, so any process
// answers the same with several processes on one PostgreSQL. Kept on globalThis: server.ts and the modules
// Next.js bundles must count into one registry.
import client from 'prom-client';
import { breakerViews } from '../dispatch/filters/breaker';

const PREFIX = 'openedx_webhooks_';
const KEY = Symbol.for('openedx-webhooks.metrics');

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function create() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const opts = { registers: [registry] };
  return {
    registry,
    eventsAccepted: new client.Counter({
      name: `${PREFIX}events_accepted_total`,
      help: 'Events stored by POST /api/events (duplicates apart), by event type.',
      labelNames: ['event_type'] as const,
      ...opts,
    }),
    eventsDuplicate: new client.Counter({
      name: `${PREFIX}events_duplicate_total`,
      help: 'Events posted again with a known metadata.id (answered 200, nothing stored), by event type.',
      labelNames: ['event_type'] as const,
      ...opts,
    }),
    eventsRefused: new client.Counter({
      name: `${PREFIX}events_refused_total`,
      help: 'Events refused by POST /api/events, by event type ("unknown" when not known) and reason.',
      labelNames: ['event_type', 'reason'] as const,
      ...opts,
    }),
    transformations: new client.Counter({
      name: `${PREFIX}transformations_total`,
      help: 'Webhook transformations run as deliveries were created, by result: applied, cancelled (the delivery is skipped), failed.',
      labelNames: ['result'] as const,
      ...opts,
    }),
    deliveries: new client.Counter({
      name: `${PREFIX}deliveries_total`,
      help: 'Webhook delivery attempts by outcome: succeeded, retry (another attempt is scheduled), failed (no more attempts).',
      labelNames: ['outcome'] as const,
      ...opts,
    }),
    attemptDuration: new client.Histogram({
      name: `${PREFIX}delivery_attempt_duration_seconds`,
      help: 'Duration of webhook delivery attempts (the HTTP call), by outcome.',
      labelNames: ['outcome'] as const,
      buckets: SECONDS,
      ...opts,
    }),
    queuePending: new client.Gauge({
      name: `${PREFIX}queue_pending`,
      help: 'Webhook deliveries pending (due now or waiting for a retry), from the database.',
      ...opts,
    }),
    queueDue: new client.Gauge({
      name: `${PREFIX}queue_due`,
      help: 'Webhook deliveries due now and not yet sent, from the database.',
      ...opts,
    }),
    queueOldestDueAge: new client.Gauge({
      name: `${PREFIX}queue_oldest_due_age_seconds`,
      help: 'How long the oldest due delivery has been waiting (0 when none is due), from the database.',
      ...opts,
    }),
    filterCalls: new client.Counter({
      name: `${PREFIX}filter_calls_total`,
      help: 'Filter calls answered by POST /api/filters, by filter type and result (passed or halted).',
      labelNames: ['filter_type', 'result'] as const,
      ...opts,
    }),
    filterRefused: new client.Counter({
      name: `${PREFIX}filter_calls_refused_total`,
      help: 'Filter calls refused by POST /api/filters, by reason.',
      labelNames: ['reason'] as const,
      ...opts,
    }),
    filterHalts: new client.Counter({
      name: `${PREFIX}filter_halts_total`,
      help: 'Filter calls halted by a webfilter, by filter type and exception.',
      labelNames: ['filter_type', 'exception'] as const,
      ...opts,
    }),
    filterDuration: new client.Histogram({
      name: `${PREFIX}filter_duration_seconds`,
      help: 'Time to answer a filter call with at least one webfilter, by filter type.',
      labelNames: ['filter_type'] as const,
      buckets: SECONDS,
      ...opts,
    }),
    webfilterCalls: new client.Counter({
      name: `${PREFIX}webfilter_calls_total`,
      help: 'Calls to webfilters, by filter type and result (applied, ignored, halted, not_applied, shadow).',
      labelNames: ['filter_type', 'result'] as const,
      ...opts,
    }),
    shadowDisagreements: new client.Counter({
      name: `${PREFIX}webfilter_shadow_disagreements_total`,
      help: 'Shadow webfilter verdicts that differ from what was applied (SPEC §12), by filter type.',
      labelNames: ['filter_type'] as const,
      ...opts,
    }),
    breakerState: new client.Gauge({
      name: `${PREFIX}webfilter_breaker_state`,
      help: "Each webfilter's circuit breaker in this process: 0 closed, 1 open, 2 half-open (SPEC §12).",
      labelNames: ['webfilter_id'] as const,
      collect() {
        this.reset();
        for (const [id, view] of breakerViews()) this.set({ webfilter_id: id }, view.state === 'open' ? 1 : view.state === 'half_open' ? 2 : 0);
      },
      ...opts,
    }),
    autoDisabled: new client.Counter({
      name: `${PREFIX}webhooks_auto_disabled_total`,
      help: 'Webhooks disabled by the service for failing (SPEC §9 auto-disable).',
      ...opts,
    }),
    workerRunning: new client.Gauge({
      name: `${PREFIX}worker_running`,
      help: 'Whether this process runs a delivery worker (1) or not (0).',
      ...opts,
    }),
    workersAlive: new client.Gauge({
      name: `${PREFIX}workers_alive`,
      help: 'Delivery workers whose heartbeat is recent (within WORKER_HEARTBEAT_TIMEOUT), from the database.',
      ...opts,
    }),
    workerHeartbeatAge: new client.Gauge({
      name: `${PREFIX}worker_heartbeat_age_seconds`,
      help: 'Seconds since each delivery worker last wrote its heartbeat, from the database.',
      labelNames: ['worker'] as const,
      ...opts,
    }),
  };
}

export type Metrics = ReturnType<typeof create>;

export function metrics(): Metrics {
  const g = globalThis as { [KEY]?: Metrics };
  return (g[KEY] ??= create());
}
