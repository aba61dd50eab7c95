'use client';
// The list's Enabled switch: saves at once, optimistic, rolled back with a toast if the save fails.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { updateWebhookAction } from '@/app/(admin)/webhooks/update-webhook';
import { Switch } from '@/components/ui/switch';
import { useToast } from '@/components/ui/toast';

export function WebhookEnabled({ id, enabled }: { id: string; enabled: boolean }) {
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
          const r = await updateWebhookAction(id, { enabled: next });
          if (!r.ok) throw new Error(r.error);
          toast(next ? 'Webhook enabled.' : 'Webhook disabled.');
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
