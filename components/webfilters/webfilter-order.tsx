'use client';
// Up/down buttons that move a webfilter among those of its filter; later ones override earlier ones.
import { useEffect, useRef, useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { moveWebfilterAction } from '@/app/(admin)/webfilters/move-webfilter';
import { useToast } from '@/components/ui/toast';
import { useCan } from '@/components/auth/role';

const arrow = 'flex size-7 items-center justify-center rounded text-slate-600 hover:bg-slate-100 disabled:text-slate-300 disabled:hover:bg-transparent';

export function WebfilterOrder({ id, order, count, name }: { id: string; order: number; count: number; name: string }) {
  const router = useRouter();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const canEdit = useCan('editor');
  const [refreshing, startRefresh] = useTransition();
  // The row moves in the table, which drops the keyboard focus: put it back on the same arrow once the list is
  // redrawn, or on the other one when this arrow is now disabled (first or last).
  const refocus = useRef<'up' | 'down' | null>(null);
  const button = (d: 'up' | 'down') => document.getElementById(`move-${id}-${d}`) as HTMLButtonElement | null;
  useEffect(() => {
    const want = refocus.current;
    if (refreshing || busy || !want) return;
    refocus.current = null;
    const same = button(want);
    (same?.disabled ? button(want === 'up' ? 'down' : 'up') : same)?.focus();
  });
  const move = async (direction: 'up' | 'down') => {
    if (busy || refreshing) return;
    setBusy(true);
    try {
      const r = await moveWebfilterAction(id, direction);
      if (r.error) toast(r.error, 'error');
      if (document.activeElement === button(direction)) refocus.current = direction;
      startRefresh(() => router.refresh());
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex items-center gap-1">
      <span className="sr-only w-10 text-sm text-slate-700 tabular-nums sm:not-sr-only" title="Order among the webfilters of this filter">
        {order}/{count}
      </span>
      <button type="button" id={`move-${id}-up`} className={arrow} aria-label={`Move ${name} up`} disabled={!canEdit || order <= 1} onClick={() => move('up')}>
        ↑
      </button>
      <button type="button" id={`move-${id}-down`} className={arrow} aria-label={`Move ${name} down`} disabled={!canEdit || order >= count} onClick={() => move('down')}>
        ↓
      </button>
    </div>
  );
}
