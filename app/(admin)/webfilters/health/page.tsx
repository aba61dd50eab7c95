// Filter health (SPEC §12): per filter type and per webfilter over the last 24 hours, with each type's latency.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { findFilter } from '@/lib/catalog';
import { getDb } from '@/lib/db';
import { filterHours, filterStats, type FilterStatsItem } from '@/lib/manage/filter-stats';
import { listWebfilters } from '@/lib/manage/webfilters';
import { maskTargetUrl } from '@/lib/secrets/target-url';
import { BackLink } from '@/components/ui/back-link';
import { Card, EmptyState, PageHeader } from '@/components/ui/card';
import { LatencyChart } from '@/components/filter-health/latency-chart';
import { scrollRegion } from '@/components/ui/scroll-region';

export const metadata: Metadata = { title: 'Filter health' };
export const dynamic = 'force-dynamic';

const ms = (v: number | null) => (v === null ? '—' : `${v} ms`);

function Row({ item, name }: { item: FilterStatsItem; name: string }) {
  return (
    <tr className="border-t border-slate-100" data-testid={item.webfilter_id ? 'health-webfilter' : 'health-type'}>
      <th scope="row" className={item.webfilter_id ? 'py-1.5 pl-6 text-left font-normal text-slate-700' : 'py-1.5 text-left font-medium text-slate-900'}>
        {name}
      </th>
      <td className="px-2 text-right tabular-nums">{item.calls}</td>
      <td className="px-2 text-right tabular-nums">{ms(item.p50_ms)}</td>
      <td className="px-2 text-right tabular-nums">{ms(item.p95_ms)}</td>
      <td className="px-2 text-right tabular-nums">{ms(item.p99_ms)}</td>
      <td className="px-2 text-right tabular-nums">{item.halts}</td>
      <td className="px-2 text-right tabular-nums">{item.changes}</td>
      <td className="px-2 text-right tabular-nums">{item.failures}</td>
      <td className="px-2 text-right tabular-nums" data-testid="shadow-disagreements">{item.shadow_disagreements}</td>
    </tr>
  );
}

export default async function FilterHealthPage() {
  await requireAdminPage();
  const handle = await getDb();
  const now = new Date();
  const [stats, hours, webfilters] = await Promise.all([filterStats(handle, {}), filterHours(handle, now), listWebfilters(handle)]);
  const items = stats.ok ? stats.value.items : [];
  const names = new Map(webfilters.map((w) => [w.id, `${w.description || maskTargetUrl(w.url)}${w.mode === 'shadow' ? ' (shadow)' : ''}`]));
  const types = [...new Set(items.map((i) => i.filter_type))];
  return (
    <>
      <BackLink href="/webfilters">Webfilters</BackLink>
      <PageHeader
        title="Filter health"
        description="The last 24 hours of filter calls: how long the LMS waited (whole calls, per filter) and each webfilter's share, what they decided, and where a shadow webfilter would have decided otherwise."
      />
      {types.length === 0 ? (
        <EmptyState title="No filter calls in the last 24 hours">Figures appear here as the LMS calls filters that have webfilters.</EmptyState>
      ) : (
        <div className="space-y-6">
          {types.map((type) => {
            const label = findFilter(type)?.label ?? type;
            const rows = items.filter((i) => i.filter_type === type);
            const whole = rows.find((r) => r.webfilter_id === null);
            return (
              <Card key={type} className="space-y-4 p-4 sm:p-6">
                <h2 className="text-base font-semibold text-slate-900">
                  {label} <span className="font-mono text-xs font-normal text-slate-500">{type}</span>
                </h2>
                <LatencyChart label={label} points={hours.get(type) ?? []} now={now.toISOString()} />
                <div className="overflow-x-auto" {...scrollRegion(`Calls of ${label}`)}>
                  <table className="w-full min-w-[40rem] text-sm">
                    <caption className="sr-only">Calls of {label} in the last 24 hours</caption>
                    <thead className="text-xs text-slate-500">
                      <tr>
                        <th scope="col" className="text-left font-medium">Who</th>
                        {['Calls', 'p50', 'p95', 'p99', 'Halts', 'Changes', 'Failures', 'Shadow disagrees'].map((h) => (
                          <th key={h} scope="col" className="px-2 text-right font-medium">
                            {h}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {whole && <Row item={whole} name="Whole call (as the LMS waited)" />}
                      {rows
                        .filter((r) => r.webfilter_id !== null)
                        .map((r) => (
                          <Row key={r.webfilter_id} item={r} name={names.get(r.webfilter_id!) ?? 'A deleted webfilter'} />
                        ))}
                    </tbody>
                  </table>
                </div>
              </Card>
            );
          })}
        </div>
      )}
    </>
  );
}
