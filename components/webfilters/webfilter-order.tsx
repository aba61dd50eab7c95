'use client';
// Up/down buttons that move a webfilter among those of its filter; later ones override earlier ones.
import { useState } from 'react';
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
  const move = async (direction: 'up' | 'down') => {
    setBusy(true);
    try {
      const r = await moveWebfilterAction(id, direction);
      if (r.error) toast(r.error, 'error');
      router.refresh();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex items-center gap-1">
      <span className="sr-only w-10 text-sm text-slate-700 tabular-nums sm:not-sr-only" title="Order among the webfilters of this filter">
        {order}/{count}
      </span>
      <button type="button" className={arrow} aria-label={`Move ${name} up`} disabled={busy || !canEdit || order <= 1} onClick={() => move('up')}>
        ↑
      </button>
      <button type="button" className={arrow} aria-label={`Move ${name} down`} disabled={busy || !canEdit || order >= count} onClick={() => move('down')}>
        ↓
      </button>
    </div>
  );
}
