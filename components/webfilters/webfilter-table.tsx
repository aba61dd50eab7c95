'use client';
// The webfilters list in application order: the shared target table, by filter, with reorder buttons first.
import { updateWebfilterAction } from '@/app/(admin)/webfilters/update-webfilter';
import type { Health } from '@/components/ui/health';
import { targetColumns, type TargetKind } from '@/components/targets/target-columns';
import { TargetTable } from '@/components/targets/target-table';
import { WebfilterOrder } from './webfilter-order';
import { WebfilterSafety, type SafetyCell } from './webfilter-safety';

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
  safety: SafetyCell;
}

const kind: TargetKind<WebfilterRow> = {
  noun: 'webfilter',
  typeWord: 'filter',
  type: (r) => r.filterType,
  typeLabel: (r) => r.filterLabel,
  lastHeader: 'Last call',
  save: updateWebfilterAction,
};

const columns = targetColumns(kind, [
  {
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
  },
  { id: 'safety', header: 'Mode', cell: ({ row }) => <WebfilterSafety cell={row.original.safety} /> },
]);

export function WebfilterTable({ rows }: { rows: WebfilterRow[] }) {
  return <TargetTable rows={rows} kind={kind} columns={columns} />;
}
