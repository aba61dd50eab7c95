'use client';
// Deletes the webhook being edited, after a confirmation, then goes back to the list.
import { useRouter } from 'next/navigation';
import { deleteWebhookAction } from '@/app/(admin)/webhooks/delete-webhook';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-dialog';
import { useToast } from '@/components/ui/toast';

export function DeleteWebhook({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const toast = useToast();
  return (
    <Card className="flex flex-col gap-3 p-5 sm:flex-row sm:items-center sm:justify-between">
      <div>
        <h2 className="text-sm font-semibold text-slate-900">Delete this webhook</h2>
        <p className="text-xs text-slate-500">Events stop going to this URL. Its past deliveries stay in the log.</p>
      </div>
      <ConfirmButton
        label="Delete webhook"
        title={`Delete “${name}”?`}
        confirmLabel="Delete"
        onConfirm={async () => {
          const r = await deleteWebhookAction(id);
          toast(r.error ?? 'Webhook deleted.', r.error ? 'error' : 'success');
          router.push('/webhooks');
        }}
      >
        Pending deliveries to it will not be sent. This cannot be undone.
      </ConfirmButton>
    </Card>
  );
}
