'use client';
// Semantic table markup for a TanStack Table v9 instance; columns can carry responsive classes by id.
import type { ReactNode } from 'react';
import type { ReactTable, RowData, TableFeatures } from '@tanstack/react-table';
import { cn } from './cn';

export function DataTable<TFeatures extends TableFeatures, TData extends RowData>({
  table,
  label,
  columnClass = {},
  rowTestId,
  empty,
}: {
  table: ReactTable<TFeatures, TData, any>;
  label: string;
  /** Extra classes for a column's header and cells, e.g. { url: 'hidden md:table-cell' }. */
  columnClass?: Record<string, string>;
  rowTestId?: string;
  /** Shown in place of the rows when filters leave none. */
  empty?: ReactNode;
}) {
  const rows = table.getRowModel().rows;
  const width = table.getAllLeafColumns().length;
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-left text-sm" aria-label={label}>
        <thead className="bg-slate-50">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th
                  key={header.id}
                  scope="col"
                  className={cn('px-3 py-2.5 text-xs font-semibold sm:px-4 tracking-wide whitespace-nowrap text-slate-600 uppercase', columnClass[header.column.id])}
                >
                  {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white">
          {rows.map((row) => (
            <tr key={row.id} data-testid={rowTestId} className="align-top hover:bg-slate-50/60">
              {row.getAllCells().map((cell) => (
                <td key={cell.id} className={cn('px-3 py-3 sm:px-4', columnClass[cell.column.id])}>
                  <table.FlexRender cell={cell} />
                </td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && empty && (
            <tr>
              <td colSpan={width} className="px-4 py-10 text-center text-sm text-slate-600">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
