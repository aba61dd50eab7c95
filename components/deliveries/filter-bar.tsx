'use client';
// Filters for the log, kept in the URL: kind, status, event or filter type, target, time range, event id.
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { TargetOption } from '@/lib/deliveries/targets';
import { Button, ButtonLink } from '@/components/ui/button';
import { inputClass } from '@/components/ui/field';
import { cn } from '@/components/ui/cn';
import { useHydrated } from './local-time';

export type FilterValues = Partial<Record<'kind' | 'status' | 'event_type' | 'target_id' | 'event_id' | 'from' | 'to', string>>;

const FIELDS = ['kind', 'status', 'event_type', 'target_id', 'event_id', 'from', 'to'] as const;

/** ISO instant → the value a datetime-local input shows, in the browser's zone. */
function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

const label = 'mb-1 block text-xs font-medium text-slate-600';
const select = cn(inputClass, 'py-1.5');

export function FilterBar({ values, types, targets }: { values: FilterValues; types: string[]; targets: TargetOption[] }) {
  const router = useRouter();
  const hydrated = useHydrated();
  // On a phone the rarer filters fold away unless one is in use.
  const [more, setMore] = useState(Boolean(values.event_id || values.from || values.to));
  // The form is redrawn for the new URL, which drops the keyboard focus: give it back to the field just used.
  const refocus = useRef<string | null>(null);
  const shown = JSON.stringify(values);
  useEffect(() => {
    if (!refocus.current) return;
    document.getElementById(refocus.current)?.focus();
    refocus.current = null;
  }, [shown]);

  function apply(form: HTMLFormElement) {
    const focused = document.activeElement;
    refocus.current = focused && form.contains(focused) && focused.id ? focused.id : null;
    const data = new FormData(form);
    const params = new URLSearchParams();
    for (const key of FIELDS) {
      const raw = String(data.get(key) ?? '').trim();
      if (!raw) continue;
      // datetime-local has no zone: it means the reader's local time, sent on as an ISO instant.
      params.set(key, key === 'from' || key === 'to' ? new Date(raw).toISOString() : raw);
    }
    const qs = params.toString();
    router.push(qs ? `/deliveries?${qs}` : '/deliveries');
  }
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    apply(e.currentTarget);
  };
  const onSelect = (e: { currentTarget: HTMLSelectElement }) => e.currentTarget.form && apply(e.currentTarget.form);

  const knownTarget = !values.target_id || targets.some((t) => t.id === values.target_id);
  return (
    <form
      key={JSON.stringify(values) + String(hydrated)}
      onSubmit={onSubmit}
      role="search"
      aria-label="Filter deliveries"
      className="grid grid-cols-2 gap-3 p-4 md:grid-cols-4 xl:grid-cols-8"
    >
      <div>
        <label htmlFor="f-kind" className={label}>Kind</label>
        <select id="f-kind" name="kind" defaultValue={values.kind ?? ''} onChange={onSelect} className={select}>
          <option value="">All</option>
          <option value="webhook">Webhooks</option>
          <option value="webfilter">Webfilters</option>
        </select>
      </div>
      <div>
        <label htmlFor="f-status" className={label}>Status</label>
        <select id="f-status" name="status" defaultValue={values.status ?? ''} onChange={onSelect} className={select}>
          <option value="">All</option>
          <option value="pending">Pending</option>
          <option value="succeeded">Succeeded</option>
          <option value="failed">Failed</option>
          <option value="skipped">Skipped</option>
          <option value="cancelled">Cancelled</option>
        </select>
      </div>
      <div className="col-span-2">
        <label htmlFor="f-type" className={label}>Event or filter type</label>
        <input id="f-type" name="event_type" list="f-types" defaultValue={values.event_type ?? ''} placeholder="Any" className={cn(inputClass, 'py-1.5')} />
        <datalist id="f-types">
          {types.map((t) => <option key={t} value={t} />)}
        </datalist>
      </div>
      <div className="col-span-2">
        <label htmlFor="f-target" className={label}>Target</label>
        <select id="f-target" name="target_id" defaultValue={values.target_id ?? ''} onChange={onSelect} className={select}>
          <option value="">All</option>
          {!knownTarget && <option value={values.target_id}>Deleted target {values.target_id!.slice(0, 8)}…</option>}
          {targets.map((t) => (
            <option key={t.id} value={t.id}>{`${t.kind === 'webhook' ? 'Webhook' : 'Webfilter'}: ${t.label}`}</option>
          ))}
        </select>
      </div>
      <div className={more ? 'contents' : 'hidden sm:contents'}>
        <div className="col-span-2">
          <label htmlFor="f-event" className={label}>Event id</label>
          <input
            id="f-event"
            name="event_id"
            type="search"
            defaultValue={values.event_id ?? ''}
            placeholder="Search by event id (UUID)"
            pattern="\s*[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\s*"
            title="A full event id, like 0a1b2c3d-…"
            className={cn(inputClass, 'py-1.5 font-mono')}
          />
        </div>
        <div className="col-span-2 md:col-span-1 xl:col-span-2">
          <label htmlFor="f-from" className={label}>From</label>
          <input id="f-from" name="from" type="datetime-local" defaultValue={hydrated ? toLocalInput(values.from) : ''} className={cn(inputClass, 'py-1.5')} />
        </div>
        <div className="col-span-2 md:col-span-1 xl:col-span-2">
          <label htmlFor="f-to" className={label}>To</label>
          <input id="f-to" name="to" type="datetime-local" defaultValue={hydrated ? toLocalInput(values.to) : ''} className={cn(inputClass, 'py-1.5')} />
        </div>
      </div>
      <div className="col-span-2 flex items-end gap-2 md:col-span-2 xl:col-span-2">
        <Button id="f-apply" type="submit" size="md">Apply</Button>
        {!more && (
          <Button variant="ghost" className="sm:hidden" onClick={() => setMore(true)}>
            More filters
          </Button>
        )}
        <ButtonLink href="/deliveries" variant="ghost">Clear</ButtonLink>
      </div>
    </form>
  );
}
