'use client';
// A list's Enabled switch: saves at once, optimistic, rolled back with a toast if the save fails.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Switch } from '@/components/ui/switch';
import { useToast } from '@/components/ui/toast';
import { useCan } from '@/components/auth/role';

/** The target's update action, called with a partial change. */
export type SaveEnabled = (id: string, values: { enabled: boolean }) => Promise<{ ok: true } | { ok: false; error: string }>;

export function EnabledSwitch({ id, enabled, noun, save }: { id: string; enabled: boolean; noun: string; save: SaveEnabled }) {
  const router = useRouter();
  const toast = useToast();
  const [on, setOn] = useState(enabled);
  const [busy, setBusy] = useState(false);
  const canEdit = useCan('editor');
  useEffect(() => setOn(enabled), [enabled]);
  return (
    <Switch
      aria-label="Enabled"
      checked={on}
      disabled={busy || !canEdit}
      onCheckedChange={async (next) => {
        setOn(next);
        setBusy(true);
        try {
          const r = await save(id, { enabled: next });
          if (!r.ok) throw new Error(r.error);
          toast(next ? `${noun} enabled.` : `${noun} disabled.`);
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
