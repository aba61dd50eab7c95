'use client';
// The webfilters list (TanStack Table v9) in application order: reorder, search, filter by filter, enable toggle, health.
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
import { WebfilterEnabled } from './webfilter-enabled';
import { WebfilterOrder } from './webfilter-order';

export interface WebfilterRow {
  id: string;
  description: string;
  filterType: string;
  filterLabel: string;
  url: string;
  enabled: boolean;
  /** 1-based place among the webfilters of the same filter, and how many there are. */
  order: number;
  count: number;
  health: Health;
}

const features = tableFeatures({
  columnFilteringFeature,
  globalFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
  filterFns: { includesString: filterFn_includesString },
});

const helper = createColumnHelper<typeof features, WebfilterRow>();

const columns = helper.columns([
  helper.display({
    id: 'order',
    header: 'Order',
    cell: ({ row }) => (
      <WebfilterOrder
        id={row.original.id}
        order={row.original.order}
        count={row.original.count}
        name={row.original.description || row.original.url}
      />
    ),
  }),
  helper.accessor('description', {
    header: 'Description',
    cell: ({ row }) => (
      <div className="min-w-36">
        <Link href={`/webfilters/${row.original.id}`} className="font-medium text-indigo-700 hover:underline">
          {row.original.description || <span className="italic">No description</span>}
        </Link>
        <p className="mt-0.5 text-xs text-slate-700 sm:hidden">{row.original.filterLabel}</p>
        <p className="mt-0.5 max-w-40 truncate font-mono text-xs text-slate-500 sm:max-w-56 md:hidden">{row.original.url}</p>
      </div>
    ),
  }),
  helper.accessor((r) => `${r.filterLabel} ${r.filterType}`, {
    id: 'filter',
    header: 'Event',
    filterFn: (row, _id, value) => row.original.filterType === value,
    cell: ({ row }) => (
      <div className="min-w-48">
        <div className="text-slate-900">{row.original.filterLabel}</div>
        <code className="font-mono text-[11px] break-all text-slate-500">{row.original.filterType}</code>
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
    cell: ({ row }) => <WebfilterEnabled id={row.original.id} enabled={row.original.enabled} />,
  }),
  helper.display({ id: 'last', header: 'Last call', cell: ({ row }) => <LastDelivery health={row.original.health} /> }),
  helper.display({ id: 'rate', header: 'Success (24 h)', cell: ({ row }) => <SuccessRate health={row.original.health} /> }),
]);

const columnClass = { filter: 'hidden sm:table-cell', url: 'hidden md:table-cell', last: 'hidden lg:table-cell', rate: 'hidden sm:table-cell' };

export function WebfilterTable({ rows }: { rows: WebfilterRow[] }) {
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
  const filters = useMemo(() => {
    const seen = new Map(rows.map((r) => [r.filterType, r.filterLabel]));
    return [...seen].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
  }, [rows]);
  const filterValue = (columnFilters.find((f) => f.id === 'filter')?.value as string | undefined) ?? '';
  const shown = table.getRowModel().rows.length;

  return (
    <Card className="overflow-hidden">
      <TableToolbar
        search={globalFilter}
        onSearch={(v) => table.setGlobalFilter(v)}
        searchLabel="Search webfilters"
        placeholder="Search description, URL or filter"
        filterLabel="Filter by filter"
        filterAll="All filters"
        filter={filterValue}
        onFilter={(v) => table.getColumn('filter')?.setFilterValue(v || undefined)}
        options={filters}
        count={shown === rows.length ? `${rows.length} webfilter${rows.length === 1 ? '' : 's'}` : `${shown} of ${rows.length}`}
      />
      <DataTable
        table={table}
        label="Webfilters"
        columnClass={columnClass}
        rowTestId="webfilter-row"
        empty={
          <>
            No webfilter matches these filters.{' '}
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
