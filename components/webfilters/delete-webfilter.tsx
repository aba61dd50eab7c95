'use client';
// Deletes the webfilter being edited, after a confirmation, then goes back to the list.
import { useRouter } from 'next/navigation';
import { deleteWebfilterAction } from '@/app/(admin)/webfilters/delete-webfilter';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-dialog';
import { useToast } from '@/components/ui/toast';

export function DeleteWebfilter({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const toast = useToast();
  return (
    <Card className="flex flex-col gap-3 p-5 sm:flex-row sm:items-center sm:justify-between">
      <div>
        <h2 className="text-sm font-semibold text-slate-900">Delete this webfilter</h2>
        <p className="text-xs text-slate-500">Filter calls stop reaching this URL at once. Its past calls stay in the log.</p>
      </div>
      <ConfirmButton
        label="Delete webfilter"
        title={`Delete “${name}”?`}
        confirmLabel="Delete"
        onConfirm={async () => {
          const r = await deleteWebfilterAction(id);
          toast(r.error ?? 'Webfilter deleted.', r.error ? 'error' : 'success');
          router.push('/webfilters');
        }}
      >
        This cannot be undone.
      </ConfirmButton>
    </Card>
  );
}
