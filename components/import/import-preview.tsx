'use client';
// The import preview (and, after confirming, the outcome): one line per plugin row, what happens to it and why.
import Link from 'next/link';
import { createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import type { ImportItem, ImportResultKind } from '@/lib/import/plan';
import { Badge, type Tone } from '@/components/ui/badge';
import { DataTable } from '@/components/ui/data-table';

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, ImportItem>();

const RESULT: Record<ImportResultKind, { tone: Tone; preview: string; done: string }> = {
  created: { tone: 'green', preview: 'Will be created', done: 'Created' },
  duplicate: { tone: 'gray', preview: 'Duplicate', done: 'Duplicate' },
  unknown_event: { tone: 'amber', preview: 'Unknown event', done: 'Unknown event' },
  invalid: { tone: 'red', preview: 'Invalid', done: 'Invalid' },
};

const noun = (i: ImportItem) => (i.model.endsWith('.webhook') ? 'webhook' : 'webfilter');

function columns(dryRun: boolean) {
  return helper.columns([
    helper.display({
      id: 'row',
      header: 'Plugin row',
      cell: ({ row: { original: i } }) => (
        <span className="whitespace-nowrap text-slate-900">
          {noun(i) === 'webhook' ? 'Webhook' : 'Webfilter'} #{String(i.pk)}
        </span>
      ),
    }),
    helper.display({
      id: 'event',
      header: 'Event',
      cell: ({ row: { original: i } }) => (
        <div className="min-w-44">
          <div className="font-mono text-xs text-slate-900">{i.event ?? '—'}</div>
          {i.mapped_to && <code className="font-mono text-[11px] break-all text-slate-500">→ {i.mapped_to}</code>}
        </div>
      ),
    }),
    helper.display({
      id: 'url',
      header: 'URL',
      cell: ({ row: { original: i } }) => (
        <span className="block max-w-48 truncate font-mono text-xs text-slate-700 lg:max-w-56" title={i.url ?? ''}>
          {i.url ?? '—'}
        </span>
      ),
    }),
    helper.display({
      id: 'result',
      header: 'Result',
      cell: ({ row: { original: i } }) => {
        const r = RESULT[i.result];
        const badge = (
          <span data-testid="import-result" className="whitespace-nowrap">
            <Badge tone={r.tone}>{dryRun ? r.preview : r.done}</Badge>
          </span>
        );
        return i.id ? <Link href={`/${noun(i)}s/${i.id}`} title={`Open the ${noun(i)}`}>{badge}</Link> : badge;
      },
    }),
    helper.display({
      id: 'message',
      header: 'Why',
      cell: ({ row: { original: i } }) => <p className="min-w-56 text-xs text-slate-700">{i.message}</p>,
    }),
  ]);
}

const previewColumns = columns(true);
const doneColumns = columns(false);

export function ImportPreview({ items, dryRun }: { items: ImportItem[]; dryRun: boolean }) {
  const table = useTable({
    features,
    columns: dryRun ? previewColumns : doneColumns,
    data: items,
    getRowId: (i, n) => `${i.model}#${String(i.pk)}#${n}`,
  });
  return <DataTable table={table} label={dryRun ? 'Import preview' : 'Import result'} rowTestId="import-row" columnClass={{ url: 'hidden md:table-cell' }} />;
}
