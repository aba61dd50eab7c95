'use client';
// Retry one webhook delivery now; the page then follows the new attempt.
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { retryDeliveryAction } from '@/app/(admin)/deliveries/retry-delivery';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { useCan } from '@/components/auth/role';

export function RetryButton({ id }: { id: number }) {
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const router = useRouter();
  const canEdit = useCan('editor');
  if (!canEdit) return null;
  return (
    <Button
      aria-disabled={busy || undefined}
      onClick={async () => {
        // aria-disabled rather than disabled: a disabled button drops the keyboard focus to the page.
        if (busy) return;
        setBusy(true);
        try {
          const r = await retryDeliveryAction(String(id));
          toast(r.error ?? 'Retry queued: a new attempt starts now.', r.error ? 'error' : 'success');
          router.refresh();
        } finally {
          setBusy(false);
        }
      }}
    >
      {busy ? 'Retrying…' : '↻ Retry now'}
    </Button>
  );
}
