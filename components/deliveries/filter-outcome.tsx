// What a webfilter call did to the LMS's filter: the data it applied, why it was ignored, or the halt it caused.
import { CopyButton } from '@/components/ui/copy-button';
import { OutcomeBadge } from './outcome-badge';
import { scrollRegion } from '@/components/ui/scroll-region';

const EXPLAIN: Record<string, string> = {
  applied: 'The answer was used: its data was merged into the filter result.',
  ignored: 'The answer was not used.',
  halted: 'The answer halted the LMS process with an exception.',
  not_applied: 'An earlier webfilter halted the process, so this answer was not applied.',
  shadow: 'A shadow webfilter: called and logged, but nothing of its answer was applied.',
};

function Json({ value, label }: { value: unknown; label: string }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <div className="relative">
      <pre {...scrollRegion(label)} className="max-h-72 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap break-all text-slate-100">{text}</pre>
      <div className="absolute top-2 right-2">
        <CopyButton value={text} />
      </div>
    </div>
  );
}

export function FilterOutcome({ outcome }: { outcome: Record<string, unknown> | null }) {
  if (!outcome) return <p className="text-sm text-slate-500">No outcome was recorded for this call.</p>;
  const result = String(outcome.result ?? '');
  const exception = outcome.exception as Record<string, unknown> | undefined;
  const applied = outcome.applied_data as Record<string, unknown> | undefined;
  return (
    <div className="space-y-3" data-testid="filter-outcome">
      <div className="flex flex-wrap items-center gap-2">
        <OutcomeBadge outcome={outcome} />
        <span className="text-sm text-slate-700">{EXPLAIN[result] ?? ''}</span>
      </div>
      {typeof outcome.reason === 'string' && outcome.reason && (
        <p className="text-sm text-slate-800">
          <span className="font-medium">Why: </span>
          {outcome.reason}
        </p>
      )}
      {exception && (
        <div className="rounded-md bg-red-50 p-3 ring-1 ring-red-200">
          <p className="text-sm font-semibold text-red-900">Halt: {String(exception.name ?? 'exception')}</p>
          {typeof exception.message === 'string' && <p className="mt-1 text-sm text-red-800">{exception.message}</p>}
          <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-xs text-red-900">
            {Object.entries(exception)
              .filter(([k]) => k !== 'name' && k !== 'message')
              .map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="font-mono">{k}</dt>
                  <dd className="font-mono break-all">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                </div>
              ))}
          </dl>
        </div>
      )}
      {Array.isArray(outcome.refused_by_relay) && outcome.refused_by_relay.length > 0 && (
        <div className="rounded-md bg-amber-50 p-3 ring-1 ring-amber-200" data-testid="refused-by-relay">
          <p className="text-sm font-semibold text-amber-900">Not applied by the relay</p>
          <ul className="mt-1 list-disc pl-5 text-sm text-amber-900">
            {(outcome.refused_by_relay as { path: string; reason: string }[]).map((r, i) => (
              <li key={i}>
                <span className="font-mono">{r.path}</span>: {r.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result === 'shadow' && <WouldApply would={outcome.would_apply as { changes?: Record<string, unknown>; exception?: Record<string, unknown> | null } | undefined} />}
      {applied && Object.keys(applied).length > 0 && (
        <div>
          <p className="mb-1 text-xs font-medium text-slate-600">Data applied</p>
          <Json value={applied} label="Data applied" />
        </div>
      )}
    </div>
  );
}

/** What a shadow webfilter would have done, had it been enforced. */
function WouldApply({ would }: { would?: { changes?: Record<string, unknown>; exception?: Record<string, unknown> | null } }) {
  const exception = would?.exception;
  const changes = would?.changes ?? {};
  return (
    <div className="rounded-md bg-amber-50 p-3 ring-1 ring-amber-200" data-testid="would-apply">
      <p className="text-sm font-semibold text-amber-900">Had it been enforced</p>
      {exception ? (
        <p className="mt-1 text-sm text-amber-900">
          It would have halted the process: <b>{String(exception.name ?? 'exception')}</b>
          {typeof exception.message === 'string' && <>: {exception.message}</>}
        </p>
      ) : (
        <p className="mt-1 text-sm text-amber-900">It would not have halted the process.</p>
      )}
      {Object.keys(changes).length > 0 && (
        <div className="mt-2">
          <p className="mb-1 text-xs font-medium text-amber-900">Data it would have changed</p>
          <Json value={changes} label="Data it would have changed" />
        </div>
      )}
    </div>
  );
}
