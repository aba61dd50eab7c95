'use client';
// A webhooks or webfilters list (TanStack Table v9): search, filter by event or filter, the count, "Clear filters".
import { useMemo, useState } from 'react';
import { useTable, type ColumnDef, type ColumnFiltersState } from '@tanstack/react-table';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { TableToolbar } from '@/components/ui/table-toolbar';
import { capital, targetColumnClass, targetFeatures, type TargetKind, type TargetRow } from './target-columns';

export function TargetTable<R extends TargetRow>({
  rows,
  kind,
  columns,
}: {
  rows: R[];
  kind: TargetKind<R>;
  columns: ColumnDef<typeof targetFeatures, R, any>[];
}) {
  const [globalFilter, setGlobalFilter] = useState('');
  const [columnFilters, setColumnFilters] = useState<ColumnFiltersState>([]);
  const table = useTable({
    features: targetFeatures,
    columns,
    data: rows,
    getRowId: (r) => r.id,
    globalFilterFn: 'includesString',
    state: { globalFilter, columnFilters },
    onGlobalFilterChange: setGlobalFilter,
    onColumnFiltersChange: setColumnFilters,
  });
  const types = useMemo(() => {
    const seen = new Map(rows.map((r) => [kind.type(r), kind.typeLabel(r)]));
    return [...seen].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
  }, [rows, kind]);
  const typeFilter = (columnFilters.find((f) => f.id === 'type')?.value as string | undefined) ?? '';
  const shown = table.getRowModel().rows.length;
  const { noun, typeWord } = kind;

  return (
    <Card className="overflow-hidden">
      <TableToolbar
        search={globalFilter}
        onSearch={(v) => table.setGlobalFilter(v)}
        searchLabel={`Search ${noun}s`}
        placeholder={`Search description, URL or ${typeWord}`}
        filterLabel={`Filter by ${typeWord}`}
        filterAll={`All ${typeWord}s`}
        filter={typeFilter}
        onFilter={(v) => table.getColumn('type')?.setFilterValue(v || undefined)}
        options={types}
        count={shown === rows.length ? `${rows.length} ${noun}${rows.length === 1 ? '' : 's'}` : `${shown} of ${rows.length}`}
      />
      <DataTable
        table={table}
        label={`${capital(noun)}s`}
        columnClass={targetColumnClass}
        rowTestId={`${noun}-row`}
        empty={
          <>
            {`No ${noun} matches these filters.`}{' '}
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
