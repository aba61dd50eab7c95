// The platforms that have called the service: host, LMS or Studio, versions, last seen, calls in 24 h.
import type { Connection } from '@/lib/platforms/connections';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { scrollRegion } from '@/components/ui/scroll-region';
import { formatUtc } from '@/components/ui/format';

const KIND: Record<string, string> = { lms: 'LMS', cms: 'Studio' };
const th = 'whitespace-nowrap px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-500';
const td = 'px-4 py-3 align-top text-sm text-slate-700';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function Version({ value }: { value: string | null }) {
  return value ? <code className="font-mono text-xs">{value}</code> : <span className="text-slate-500">—</span>;
}

export function ConnectionTable({ connections }: { connections: Connection[] }) {
  return (
    <Card className="overflow-hidden">
      {/* Wider than a phone: the table scrolls sideways, so it takes the focus to be scrolled by keyboard. */}
      <div {...scrollRegion('Connected platforms')} className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200" aria-label="Connected platforms">
          <thead className="bg-slate-50">
            <tr>
              <th className={th}>Host</th>
              <th className={th}>Kind</th>
              <th className={th}>Relay</th>
              <th className={th}>openedx-events</th>
              <th className={th}>openedx-filters</th>
              <th className={th}>Last seen</th>
              <th className={`${th} text-right`}>Events (24 h)</th>
              <th className={`${th} text-right`}>Filter calls (24 h)</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {connections.map((c) => (
              <tr key={`${c.host}|${c.variant}`} data-testid="connection-row">
                <td className={td}>
                  <div className="font-medium text-slate-900">{c.host || <span className="text-slate-500">unknown host</span>}</div>
                  <div className="mt-0.5 text-xs text-slate-500">
                    {c.catalogUpdatedAt
                      ? `Catalog: ${plural(c.catalogEvents ?? 0, 'event')}, ${plural(c.catalogFilters ?? 0, 'filter')} (synced ${formatUtc(c.catalogUpdatedAt)})`
                      : 'Catalog not synced yet'}
                  </div>
                </td>
                <td className={td}>{KIND[c.variant] ? <Badge tone={c.variant === 'lms' ? 'indigo' : 'blue'}>{KIND[c.variant]}</Badge> : '—'}</td>
                <td className={td}>
                  <Version value={c.relayVersion} />
                </td>
                <td className={td}>
                  <Version value={c.eventsVersion} />
                </td>
                <td className={td}>
                  <Version value={c.filtersVersion} />
                </td>
                <td className={`${td} whitespace-nowrap`}>{formatUtc(c.lastSeenAt)}</td>
                <td className={`${td} text-right tabular-nums`}>{c.events24h.toLocaleString('en-US')}</td>
                <td className={`${td} text-right tabular-nums`}>{c.filterCalls24h.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
