// The delivery log: last 24 hours at a glance, filters in the URL, one keyset page of deliveries, live on page one.
import type { Metadata } from 'next';
import { requireAdminPage } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { env } from '@/lib/env';
import { allEvents, allFilters } from '@/lib/catalog';
import { platformCatalogReady } from '@/lib/platforms/catalog';
import { listDeliveries } from '@/lib/deliveries/list';
import { deliveryJson } from '@/lib/deliveries/present';
import { filterParams, paramsObject, parseDeliveryQueryLenient } from '@/lib/deliveries/query';
import { hourlyStats } from '@/lib/deliveries/stats';
import { listTargets } from '@/lib/deliveries/targets';
import { Card, EmptyState, PageHeader } from '@/components/ui/card';
import { AutoRefresh } from '@/components/deliveries/auto-refresh';
import { BulkRetryButton } from '@/components/deliveries/bulk-retry';
import { DeliveryTable } from '@/components/deliveries/delivery-table';
import { FilterBar } from '@/components/deliveries/filter-bar';
import { HourlyChart } from '@/components/deliveries/hourly-chart';
import { LiveAnnouncer } from '@/components/deliveries/live-announcer';
import { Pager } from '@/components/deliveries/pager';

export const metadata: Metadata = { title: 'Deliveries' };

export default async function DeliveriesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage();
  const { query, ignored } = parseDeliveryQueryLenient(paramsObject(await searchParams));
  const { filters, page } = query;
  const handle = await getDb();
  const { db } = handle;
  await platformCatalogReady(handle);
  // Built-in and platform-only types alike (SPEC §8).
  const types = [...allEvents().map((e) => e.eventType), ...allFilters().map((f) => f.filterType)];
  const [list, stats, targets] = await Promise.all([listDeliveries(db, filters, page), hourlyStats(db), listTargets(db)]);
  const params = filterParams(filters);
  const filtered = Object.keys(params).length > 0;
  const onFirstPage = page.cursor === undefined && page.before === undefined;
  const days = env().RETENTION_DAYS;
  return (
    <>
      <PageHeader
        title="Deliveries"
        description={
          <>
            Every webhook and webfilter call, with its answer. Kept for {days} {days === 1 ? 'day' : 'days'}
            {onFirstPage ? ' · updates live' : ''}.
          </>
        }
        actions={<BulkRetryButton filters={params} filtered={filtered} />}
      />
      {onFirstPage && <AutoRefresh intervalMs={4000} />}
      {onFirstPage && <LiveAnnouncer key={JSON.stringify(params)} rows={list.items.map((d) => ({ id: d.id, status: d.status }))} />}
      <div className="space-y-4">
        <Card>
          <HourlyChart buckets={stats} />
        </Card>
        <Card>
          <FilterBar values={params} types={types} targets={targets} />
        </Card>
        {ignored.length > 0 && (
          <p role="alert" className="rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
            Some filters were ignored: {ignored.join('; ')}.
          </p>
        )}
        {list.items.length === 0 && onFirstPage ? (
          <EmptyState title={filtered ? 'No deliveries match these filters' : 'No deliveries yet'}>
            {filtered
              ? 'Try a wider time range or clear the filters.'
              : 'Each event the LMS posts to /api/events is delivered to the webhooks for its type, and each filter call is logged here too.'}
          </EmptyState>
        ) : (
          <Card className="overflow-hidden">
            <DeliveryTable rows={list.items.map(deliveryJson)} />
            <Pager filters={params} nextCursor={list.nextCursor} prevCursor={list.prevCursor} onFirstPage={onFirstPage} shown={list.items.length} />
          </Card>
        )}
      </div>
    </>
  );
}
