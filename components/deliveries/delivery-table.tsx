'use client';
// The delivery log's rows (one server page), newest first: status, answer, duration, attempts, next retry.
import Link from 'next/link';
import { createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import type { DeliveryJson } from '@/lib/deliveries/present';
import { Badge, StatusBadge } from '@/components/ui/badge';
import { cn } from '@/components/ui/cn';
import { DataTable } from '@/components/ui/data-table';
import { formatDuration, shortType, shortUrl } from './format';
import { LocalTime } from './local-time';
import { OutcomeBadge } from './outcome-badge';
import { TransformationBadge } from './transformation-outcome';

const features = tableFeatures({});
const col = createColumnHelper<typeof features, DeliveryJson>();

const columns = col.columns([
  col.accessor('id', {
    header: 'Delivery',
    cell: ({ row }) => (
      <div className="flex flex-col">
        <Link href={`/deliveries/${row.original.id}`} className="font-medium text-indigo-700 hover:underline" data-testid="delivery-link">
          #{row.original.id}
        </Link>
        <span className="text-xs text-slate-500">
          <LocalTime iso={row.original.created_at} />
        </span>
        {/* On a phone the other columns fold into this one. */}
        <div className="mt-1 flex flex-wrap items-center gap-1.5 sm:hidden">
          <StatusBadge status={row.original.status} />
          <span className="max-w-52 truncate font-mono text-xs text-slate-700">{shortType(row.original.event_type)}</span>
          {row.original.last_status_code !== null && <span className="font-mono text-xs text-slate-600">{row.original.last_status_code}</span>}
        </div>
      </div>
    ),
  }),
  col.accessor('event_type', {
    header: 'Event or filter',
    cell: ({ row }) => (
      <div className="flex min-w-0 flex-col items-start gap-1">
        <span className="max-w-64 truncate font-mono text-xs text-slate-800" title={row.original.event_type}>
          {shortType(row.original.event_type)}
        </span>
        {row.original.kind === 'webfilter' && <Badge tone="indigo">webfilter</Badge>}
        {row.original.replay && <Badge tone="amber">replay</Badge>}
      </div>
    ),
  }),
  col.accessor('url', {
    header: 'Target',
    cell: ({ getValue }) => (
      <span className="block max-w-56 truncate text-xs text-slate-600" title={getValue()}>
        {shortUrl(getValue())}
      </span>
    ),
  }),
  col.accessor('status', {
    header: 'Status',
    cell: ({ row }) => (
      <div className="flex flex-wrap items-center gap-1" data-testid="delivery-status">
        <StatusBadge status={row.original.status} />
        {row.original.kind === 'webfilter' && <OutcomeBadge outcome={row.original.outcome} />}
        {row.original.kind === 'webhook' && row.original.status !== 'skipped' && <TransformationBadge outcome={row.original.outcome} />}
      </div>
    ),
  }),
  col.accessor('last_status_code', {
    header: 'Response',
    cell: ({ row }) => {
      const { last_status_code: code, last_error: error, outcome } = row.original;
      if (row.original.status === 'skipped' && typeof outcome?.reason === 'string') {
        return (
          <span className="block max-w-48 truncate text-xs text-slate-600" title={outcome.reason}>
            {outcome.reason}
          </span>
        );
      }
      if (code !== null) {
        return <span className={cn('font-mono text-xs font-semibold', code >= 200 && code < 300 ? 'text-emerald-700' : 'text-red-700')}>{code}</span>;
      }
      return error ? (
        <span className="block max-w-48 truncate text-xs text-red-700" title={error}>
          {error}
        </span>
      ) : (
        <span className="text-slate-500">—</span>
      );
    },
  }),
  col.accessor('last_duration_ms', {
    header: 'Duration',
    cell: ({ getValue }) => <span className="whitespace-nowrap text-xs tabular-nums">{formatDuration(getValue())}</span>,
  }),
  col.accessor('attempt_count', {
    header: 'Attempts',
    cell: ({ getValue }) => <span className="text-xs tabular-nums">{getValue()}</span>,
  }),
  col.accessor('next_attempt_at', {
    header: 'Next retry',
    cell: ({ getValue }) => {
      const at = getValue();
      return at ? <span className="text-xs text-amber-800"><LocalTime iso={at} relative /></span> : <span className="text-slate-500">—</span>;
    },
  }),
]);

// Narrow screens keep what tells a delivery apart and whether it worked; the rest is on the detail page.
const responsive: Record<string, string> = {
  event_type: 'hidden sm:table-cell',
  status: 'hidden sm:table-cell',
  url: 'hidden lg:table-cell',
  last_duration_ms: 'hidden md:table-cell',
  attempt_count: 'hidden md:table-cell',
  next_attempt_at: 'hidden xl:table-cell',
  last_status_code: 'hidden sm:table-cell',
};

export function DeliveryTable({ rows }: { rows: DeliveryJson[] }) {
  const table = useTable({ features, columns, data: rows, getRowId: (r) => String(r.id) });
  return <DataTable table={table} label="Deliveries, newest first" columnClass={responsive} rowTestId="delivery-row" />;
}
