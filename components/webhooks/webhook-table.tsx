'use client';
// The webhooks list (TanStack Table v9): search, filter by event, enable toggle, delivery health.
import { useMemo, useState } from 'react';
import Link from 'next/link';
import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  filterFn_includesString,
  globalFilteringFeature,
  tableFeatures,
  useTable,
  type ColumnFiltersState,
} from '@tanstack/react-table';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { LastDelivery, SuccessRate, type Health } from '@/components/ui/health';
import { TableToolbar } from '@/components/ui/table-toolbar';
import { WebhookEnabled } from './webhook-enabled';

export interface WebhookRow {
  id: string;
  description: string;
  eventType: string;
  eventLabel: string;
  url: string;
  enabled: boolean;
  health: Health;
}

const features = tableFeatures({
  columnFilteringFeature,
  globalFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
  filterFns: { includesString: filterFn_includesString },
});

const helper = createColumnHelper<typeof features, WebhookRow>();

const columns = helper.columns([
  helper.accessor('description', {
    header: 'Description',
    cell: ({ row }) => (
      <div className="min-w-36">
        <Link href={`/webhooks/${row.original.id}`} className="font-medium text-indigo-700 hover:underline">
          {row.original.description || <span className="italic">No description</span>}
        </Link>
        <p className="mt-0.5 text-xs text-slate-700 sm:hidden">{row.original.eventLabel}</p>
        <p className="mt-0.5 max-w-40 truncate font-mono text-xs text-slate-500 sm:max-w-56 md:hidden">{row.original.url}</p>
      </div>
    ),
  }),
  helper.accessor((r) => `${r.eventLabel} ${r.eventType}`, {
    id: 'event',
    header: 'Event',
    filterFn: (row, _id, value) => row.original.eventType === value,
    cell: ({ row }) => (
      <div className="min-w-48">
        <div className="text-slate-900">{row.original.eventLabel}</div>
        <code className="font-mono text-[11px] break-all text-slate-500">{row.original.eventType}</code>
      </div>
    ),
  }),
  helper.accessor('url', {
    header: 'URL',
    cell: ({ getValue }) => (
      <span className="block max-w-64 truncate font-mono text-xs text-slate-700" title={getValue()}>
        {getValue()}
      </span>
    ),
  }),
  helper.display({
    id: 'enabled',
    header: 'Enabled',
    cell: ({ row }) => <WebhookEnabled id={row.original.id} enabled={row.original.enabled} />,
  }),
  helper.display({ id: 'last', header: 'Last delivery', cell: ({ row }) => <LastDelivery health={row.original.health} /> }),
  helper.display({ id: 'rate', header: 'Success (24 h)', cell: ({ row }) => <SuccessRate health={row.original.health} /> }),
]);

const columnClass = { event: 'hidden sm:table-cell', url: 'hidden md:table-cell', last: 'hidden lg:table-cell', rate: 'hidden sm:table-cell' };

export function WebhookTable({ rows }: { rows: WebhookRow[] }) {
  const [globalFilter, setGlobalFilter] = useState('');
  const [columnFilters, setColumnFilters] = useState<ColumnFiltersState>([]);
  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId: (r) => r.id,
    globalFilterFn: 'includesString',
    state: { globalFilter, columnFilters },
    onGlobalFilterChange: setGlobalFilter,
    onColumnFiltersChange: setColumnFilters,
  });
  const events = useMemo(() => {
    const seen = new Map(rows.map((r) => [r.eventType, r.eventLabel]));
    return [...seen].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
  }, [rows]);
  const eventFilter = (columnFilters.find((f) => f.id === 'event')?.value as string | undefined) ?? '';
  const shown = table.getRowModel().rows.length;

  return (
    <Card className="overflow-hidden">
      <TableToolbar
        search={globalFilter}
        onSearch={(v) => table.setGlobalFilter(v)}
        searchLabel="Search webhooks"
        placeholder="Search description, URL or event"
        filterLabel="Filter by event"
        filterAll="All events"
        filter={eventFilter}
        onFilter={(v) => table.getColumn('event')?.setFilterValue(v || undefined)}
        options={events}
        count={shown === rows.length ? `${rows.length} webhook${rows.length === 1 ? '' : 's'}` : `${shown} of ${rows.length}`}
      />
      <DataTable
        table={table}
        label="Webhooks"
        columnClass={columnClass}
        rowTestId="webhook-row"
        empty={
          <>
            No webhook matches these filters.{' '}
            <Button
              variant="ghost"
              size="sm"
              onClick={() => {
                table.setGlobalFilter('');
                table.setColumnFilters([]);
              }}
            >
              Clear filters
            </Button>
          </>
        }
      />
    </Card>
  );
}
