// The facts of one delivery at a glance: what, where, when, how it went.
import Link from 'next/link';
import type { DeliveryDetailJson } from '@/lib/deliveries/present';
import type { TargetOption } from '@/lib/deliveries/targets';
import { formatDuration } from './format';
import { LocalTime } from './local-time';

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-slate-900">{children}</dd>
    </div>
  );
}

const link = 'text-indigo-700 hover:underline';

export function DeliveryFacts({ d, target }: { d: DeliveryDetailJson; target: TargetOption | null }) {
  const targetEditor = d.kind === 'webhook' ? `/webhooks/${d.target_id}` : `/webfilters/${d.target_id}`;
  return (
    <dl className="grid grid-cols-1 gap-4 p-5 sm:grid-cols-2 lg:grid-cols-3">
      <Fact label={d.kind === 'webhook' ? 'Event type' : 'Filter type'}>
        <Link className={`${link} font-mono text-xs`} href={`/deliveries?event_type=${encodeURIComponent(d.event_type)}`}>
          {d.event_type}
        </Link>
      </Fact>
      <Fact label={d.kind === 'webhook' ? 'Event id (webhook-id)' : 'Filter call id'}>
        <Link className={`${link} font-mono text-xs`} href={`/deliveries?event_id=${d.event_id}`} data-testid="event-id">
          {d.event_id}
        </Link>
      </Fact>
      <Fact label={d.kind === 'webhook' ? 'Webhook' : 'Webfilter'}>
        {target ? (
          <Link className={link} href={targetEditor}>{target.label}</Link>
        ) : (
          <span className="text-slate-500">Deleted</span>
        )}
        <Link className="ml-2 text-xs text-slate-600 underline underline-offset-2" href={`/deliveries?target_id=${d.target_id}`}>
          all its deliveries
        </Link>
      </Fact>
      <Fact label="URL">
        <span className="font-mono text-xs break-all">{d.url}</span>
      </Fact>
      <Fact label="Created">
        <LocalTime iso={d.created_at} />
      </Fact>
      <Fact label={d.status === 'pending' ? 'Next attempt' : 'Completed'}>
        {d.status === 'pending' ? (
          d.next_attempt_at ? <LocalTime iso={d.next_attempt_at} relative /> : 'now'
        ) : d.completed_at ? (
          <LocalTime iso={d.completed_at} />
        ) : (
          '—'
        )}
      </Fact>
      <Fact label="Attempts">{d.attempt_count}</Fact>
      <Fact label="Last response">
        {d.last_status_code ?? '—'} · {formatDuration(d.last_duration_ms)}
      </Fact>
      {d.replay && <Fact label="Replay">A stored event sent again by a replay, not its first delivery.</Fact>}
      {d.request_id && (
        <Fact label="Request id">
          <span className="font-mono text-xs break-all">{d.request_id}</span>
        </Fact>
      )}
      {d.last_error && (
        <Fact label="Last error">
          <span className="font-mono text-xs text-red-700">{d.last_error}</span>
        </Fact>
      )}
    </dl>
  );
}
