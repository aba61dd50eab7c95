// Small coloured labels, notably for delivery statuses.
import type { ReactNode } from 'react';
import { cn } from './cn';

const tones = {
  gray: 'bg-slate-100 text-slate-700 ring-slate-300',
  green: 'bg-emerald-50 text-emerald-700 ring-emerald-600/30',
  red: 'bg-red-50 text-red-700 ring-red-600/30',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/30',
  blue: 'bg-sky-50 text-sky-700 ring-sky-600/30',
  indigo: 'bg-indigo-50 text-indigo-700 ring-indigo-600/30',
} as const;

export type Tone = keyof typeof tones;

export function Badge({ tone = 'gray', children, className }: { tone?: Tone; children: ReactNode; className?: string }) {
  return (
    <span className={cn('inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset', tones[tone], className)}>
      {children}
    </span>
  );
}

const statusTone: Record<string, Tone> = { pending: 'amber', succeeded: 'green', failed: 'red', skipped: 'gray', cancelled: 'gray' };

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone[status] ?? 'gray'}>{status}</Badge>;
}
