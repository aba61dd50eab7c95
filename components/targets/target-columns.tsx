'use client';
// The columns the webhooks and webfilters lists share: description, type, URL, enabled switch, health.
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  filterFn_includesString,
  globalFilteringFeature,
  tableFeatures,
  type DisplayColumnDef,
} from '@tanstack/react-table';
import { LastDelivery, SuccessRate, type Health } from '@/components/ui/health';
import { EnabledSwitch, type SaveEnabled } from './enabled-switch';

export interface TargetRow {
  id: string;
  description: string;
  url: string;
  enabled: boolean;
  health: Health;
  /** Why the service disabled it (webhooks' auto-disable, SPEC §9). */
  disabledReason?: string | null;
  /** A webhook with a transformation (SPEC §14): its calls are reshaped before they are sent. */
  transformed?: boolean;
}

/** What sets one kind of target apart in its list; the labels, route and test ids follow from the noun. */
export interface TargetKind<R extends TargetRow> {
  /** Singular, lower case: "webhook". */
  noun: string;
  /** What a target is attached to, singular: "event" or "filter". */
  typeWord: string;
  type: (r: R) => string;
  typeLabel: (r: R) => string;
  lastHeader: string;
  save: SaveEnabled;
}

export const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const targetFeatures = tableFeatures({
  columnFilteringFeature,
  globalFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
  filterFns: { includesString: filterFn_includesString },
});

export type TargetColumn<R extends TargetRow> = DisplayColumnDef<typeof targetFeatures, R>;

/** Column classes by id: the narrower the screen, the fewer columns. */
export const targetColumnClass = { type: 'hidden sm:table-cell', url: 'hidden md:table-cell', last: 'hidden lg:table-cell', rate: 'hidden sm:table-cell', safety: 'hidden md:table-cell' };

export function targetColumns<R extends TargetRow>(kind: TargetKind<R>, leading: TargetColumn<R>[] = []) {
  const helper = createColumnHelper<typeof targetFeatures, R>();
  return helper.columns([
    ...leading,
    helper.accessor((r) => r.description, {
      id: 'description',
      header: 'Description',
      cell: ({ row }) => (
        <div className="min-w-36">
          <Link href={`/${kind.noun}s/${row.original.id}`} className="font-medium text-indigo-700 hover:underline">
            {row.original.description || <span className="italic">No description</span>}
          </Link>
          {row.original.disabledReason && (
            <p className="mt-0.5 max-w-64 text-xs font-medium text-amber-700" title={row.original.disabledReason}>
              Disabled automatically: every delivery failed. Switch it on to send again.
            </p>
          )}
          <p className="mt-0.5 text-xs text-slate-700 sm:hidden">{kind.typeLabel(row.original)}</p>
          <p className="mt-0.5 max-w-40 truncate font-mono text-xs text-slate-500 sm:max-w-56 md:hidden">{row.original.url}</p>
        </div>
      ),
    }),
    helper.accessor((r) => `${kind.typeLabel(r)} ${kind.type(r)}`, {
      id: 'type',
      header: 'Event',
      filterFn: (row, _id, value) => kind.type(row.original) === value,
      cell: ({ row }) => (
        <div className="min-w-48">
          <div className="text-slate-900">{kind.typeLabel(row.original)}</div>
          <code className="font-mono text-[11px] break-all text-slate-500">{kind.type(row.original)}</code>
        </div>
      ),
    }),
    helper.accessor((r) => r.url, {
      id: 'url',
      header: 'URL',
      cell: ({ row, getValue }) => (
        <>
          <span className="block max-w-64 truncate font-mono text-xs text-slate-700" title={getValue()}>
            {getValue()}
          </span>
          {row.original.transformed && (
            <Badge tone="blue" className="mt-1">
              transformed
            </Badge>
          )}
        </>
      ),
    }),
    helper.display({
      id: 'enabled',
      header: 'Enabled',
      cell: ({ row }) => <EnabledSwitch id={row.original.id} enabled={row.original.enabled} noun={capital(kind.noun)} save={kind.save} />,
    }),
    helper.display({ id: 'last', header: kind.lastHeader, cell: ({ row }) => <LastDelivery health={row.original.health} /> }),
    helper.display({ id: 'rate', header: 'Success (24 h)', cell: ({ row }) => <SuccessRate health={row.original.health} /> }),
  ]);
}
