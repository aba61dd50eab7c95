'use client';
// The list's Enabled switch: saves at once, optimistic, rolled back with a toast if the save fails.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { updateWebfilterAction } from '@/app/(admin)/webfilters/update-webfilter';
import { Switch } from '@/components/ui/switch';
import { useToast } from '@/components/ui/toast';

export function WebfilterEnabled({ id, enabled }: { id: string; enabled: boolean }) {
  const router = useRouter();
  const toast = useToast();
  const [on, setOn] = useState(enabled);
  const [busy, setBusy] = useState(false);
  useEffect(() => setOn(enabled), [enabled]);
  return (
    <Switch
      aria-label="Enabled"
      checked={on}
      disabled={busy}
      onCheckedChange={async (next) => {
        setOn(next);
        setBusy(true);
        try {
          const r = await updateWebfilterAction(id, { enabled: next });
          if (!r.ok) throw new Error(r.error);
          toast(next ? 'Webfilter enabled.' : 'Webfilter disabled.');
          router.refresh();
        } catch {
          setOn(!next);
          toast('The change was not saved: try again.', 'error');
        } finally {
          setBusy(false);
        }
      }}
    />
  );
}
