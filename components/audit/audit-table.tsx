// Audit entries: when, who, from where, what, and the before/after of each changed field.
import type { AuditItem } from '@/lib/audit/list';
import { Card, EmptyState } from '@/components/ui/card';
import { formatUtc } from '@/components/ui/format';
import { scrollRegion } from '@/components/ui/scroll-region';

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

export function AuditTable({ items }: { items: AuditItem[] }) {
  if (!items.length) return <EmptyState title="No entries">Changes made through the app or the API appear here.</EmptyState>;
  return (
    <Card className="overflow-hidden">
      {/* Wider than a phone: the table scrolls sideways, so it takes the focus to be scrolled by keyboard. */}
      <div {...scrollRegion('Audit entries')} className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Audit entries">
          <thead className="bg-slate-50 text-left text-xs font-semibold text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2">When</th>
              <th scope="col" className="px-3 py-2">Who</th>
              <th scope="col" className="px-3 py-2">Action</th>
              <th scope="col" className="px-3 py-2">Target</th>
              <th scope="col" className="px-3 py-2">Changes</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((i) => (
              <tr key={i.id} data-testid="audit-row" className="align-top">
                <td className="px-3 py-2 whitespace-nowrap text-slate-600">{formatUtc(i.at)}</td>
                <td className="px-3 py-2">
                  <div className="text-slate-900">{i.actor.label}</div>
                  <div className="text-xs text-slate-500">
                    {i.actor.type === 'api_key' ? 'API key' : 'user'}
                    {i.ip ? ` · ${i.ip}` : ''}
                  </div>
                </td>
                <td className="px-3 py-2 font-mono text-xs">{i.action}</td>
                <td className="px-3 py-2 text-xs">
                  {i.target_type} <span className="font-mono text-slate-500">{i.target_id}</span>
                </td>
                <td className="px-3 py-2 text-xs">
                  <ul className="space-y-0.5">
                    {Object.entries(i.changes).map(([field, c]) => (
                      <li key={field} className="break-all">
                        <b>{field}</b>: <span className="text-red-700 line-through decoration-red-300">{show(c.before)}</span> →{' '}
                        <span className="text-emerald-800">{show(c.after)}</span>
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
