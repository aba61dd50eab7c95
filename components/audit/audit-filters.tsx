// The audit log's filters: a plain GET form, so the filtered page has its own URL.
import { Button } from '@/components/ui/button';
import { inputClass } from '@/components/ui/field';

const FIELDS = [
  { name: 'actor', label: 'Actor', placeholder: 'email, key name or id' },
  { name: 'action', label: 'Action', placeholder: 'webhook.updated' },
  { name: 'target_type', label: 'Target type', placeholder: 'webhook' },
  { name: 'target_id', label: 'Target id', placeholder: 'id' },
  { name: 'from', label: 'From', placeholder: '2026-01-01T00:00:00Z' },
  { name: 'to', label: 'To', placeholder: '2026-12-31T23:59:59Z' },
] as const;

export function AuditFilters({ values }: { values: Record<string, string> }) {
  return (
    <form method="get" action="/audit" className="mb-4 grid gap-3 sm:grid-cols-3 lg:grid-cols-7" role="search" aria-label="Filter the audit log">
      {FIELDS.map((f) => (
        <label key={f.name} className="text-xs font-medium text-slate-700">
          {f.label}
          <input name={f.name} defaultValue={values[f.name] ?? ''} placeholder={f.placeholder} className={`${inputClass} mt-1`} />
        </label>
      ))}
      <div className="flex items-end">
        <Button type="submit" variant="secondary">
          Filter
        </Button>
      </div>
    </form>
  );
}
