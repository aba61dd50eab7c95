'use client';
// Per filter type (SPEC §12): the whole call's budget and what the relay does when the service cannot answer.
import { useState, useTransition } from 'react';
import { saveFilterPolicyAction } from '@/app/(admin)/webfilters/save-filter-policy';
import { useRole } from '@/components/auth/role';
import { allows } from '@/lib/auth/roles';
import { Button } from '@/components/ui/button';
import { inputClass } from '@/components/ui/field';
import { cn } from '@/components/ui/cn';

export interface PolicyRow {
  filterType: string;
  label: string;
  /** null: the defaults. */
  policy: { timeout_ms: number; on_unreachable: 'allow' | 'halt' } | null;
}

function PolicyForm({ row, defaultTimeoutMs }: { row: PolicyRow; defaultTimeoutMs: number }) {
  const canEdit = allows(useRole(), 'editor');
  const [timeout, setTimeoutMs] = useState(String(row.policy?.timeout_ms ?? defaultTimeoutMs));
  const [unreachable, setUnreachable] = useState<'allow' | 'halt'>(row.policy?.on_unreachable ?? 'allow');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const save = (values: { timeout_ms: number; on_unreachable: string } | null) =>
    start(async () => {
      const r = await saveFilterPolicyAction(row.filterType, values);
      setMessage(r.ok ? { ok: true, text: values ? 'Saved.' : 'Back to the defaults.' } : { ok: false, text: r.error });
      if (r.ok && !values) {
        setTimeoutMs(String(defaultTimeoutMs));
        setUnreachable('allow');
      }
    });
  const id = row.filterType.replace(/\W/g, '-');
  return (
    <form
      className="flex flex-wrap items-end gap-3 border-t border-slate-100 py-3"
      aria-label={`Policy of ${row.label}`}
      data-testid="filter-policy"
      onSubmit={(e) => {
        e.preventDefault();
        save({ timeout_ms: Number(timeout), on_unreachable: unreachable });
      }}
    >
      <div className="min-w-48 flex-1 text-sm">
        <p className="font-medium text-slate-900">{row.label}</p>
        <p className="text-xs text-slate-500">{row.policy ? 'Its own policy.' : 'The defaults.'}</p>
      </div>
      <label className="text-xs text-slate-700" htmlFor={`${id}-timeout`}>
        Budget (ms)
        <input id={`${id}-timeout`} type="number" min={50} max={30000} step={50} value={timeout} disabled={!canEdit} onChange={(e) => setTimeoutMs(e.target.value)} className={cn(inputClass, 'mt-1 w-28')} />
      </label>
      <label className="text-xs text-slate-700" htmlFor={`${id}-unreachable`}>
        If the service cannot answer
        <select id={`${id}-unreachable`} value={unreachable} disabled={!canEdit} onChange={(e) => setUnreachable(e.target.value as 'allow' | 'halt')} className={cn(inputClass, 'mt-1 w-44')}>
          <option value="allow">allow the process</option>
          <option value="halt">halt the process</option>
        </select>
      </label>
      {canEdit && (
        <div className="flex gap-2">
          <Button type="submit" disabled={pending}>
            Save
          </Button>
          {row.policy && (
            <Button type="button" variant="secondary" disabled={pending} onClick={() => save(null)}>
              Reset
            </Button>
          )}
        </div>
      )}
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={cn('w-full text-xs', message.ok ? 'text-emerald-700' : 'text-red-700')}>
          {message.text}
        </p>
      )}
    </form>
  );
}

export function FilterPolicies({ rows, defaultTimeoutMs }: { rows: PolicyRow[]; defaultTimeoutMs: number }) {
  return (
    <section className="mt-8 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby="policies-title">
      <h2 id="policies-title" className="text-base font-semibold text-slate-900">
        Policies per filter
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        The budget is how long a whole filter call may take (default {defaultTimeoutMs} ms, FILTER_TIMEOUT_MS). When the
        service itself cannot answer in time, the relay lets the process go on or halts it, as chosen here (default: the
        relay&apos;s OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN).
      </p>
      <div className="mt-3">
        {rows.map((r) => (
          <PolicyForm key={r.filterType} row={r} defaultTimeoutMs={defaultTimeoutMs} />
        ))}
      </div>
    </section>
  );
}
