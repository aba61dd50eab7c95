'use client';
// "Retry failed": counts the failed webhook deliveries matching the filters, asks, then queues them, at most
// BULK_RETRY_LIMIT in one go (newest first): the dialog says so when there are more.
import { useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { countFailedAction } from '@/app/(admin)/deliveries/count-failed';
import { retryFailedAction } from '@/app/(admin)/deliveries/retry-failed';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { useCan } from '@/components/auth/role';
import { showModalFrom, trapTab } from '@/components/ui/dialog-focus';

const plural = (n: number) => `${n.toLocaleString()} failed webhook ${n === 1 ? 'delivery' : 'deliveries'}`;

export function BulkRetryButton({ filters, filtered }: { filters: Record<string, string>; filtered: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [count, setCount] = useState<number | null>(null);
  const [limit, setLimit] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const router = useRouter();

  async function open() {
    const opener = document.activeElement;
    setBusy(true);
    try {
      const r = await countFailedAction(filters);
      if (r.error) return toast(r.error, 'error');
      setCount(r.count ?? 0);
      setLimit(r.limit ?? null);
      showModalFrom(ref.current, opener);
    } finally {
      setBusy(false);
    }
  }

  async function confirm() {
    setBusy(true);
    try {
      const r = await retryFailedAction(filters);
      if (r.error) toast(r.error, 'error');
      else toast(`${plural(r.count ?? 0)} queued for another attempt.`);
      router.refresh();
    } finally {
      setBusy(false);
      ref.current?.close();
    }
  }

  // How many this run queues: all of them, or the newest `limit`.
  const capped = !!count && limit !== null && count > limit;
  const queued = capped ? limit! : (count ?? 0);

  const canEdit = useCan('editor');
  if (!canEdit) return null;
  return (
    <>
      <Button variant="secondary" onClick={open} disabled={busy}>
        ↻ Retry failed…
      </Button>
      <dialog ref={ref} aria-label="Retry failed deliveries" onKeyDown={trapTab} className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40">
        <div className="p-6">
          <h2 className="text-lg font-semibold text-slate-900">
            {!count ? 'Nothing to retry' : capped ? `Retry ${queued.toLocaleString()} of ${plural(count)}?` : `Retry ${plural(count)}?`}
          </h2>
          <p className="mt-2 text-sm text-slate-600" data-testid="bulk-retry-count">
            {count
              ? `Each one gets a new attempt now, signed with its original webhook-id. ${filtered ? 'Only deliveries matching the current filters are retried.' : 'This is every failed webhook delivery in the log.'}`
              : `No failed webhook deliveries ${filtered ? 'match the current filters' : 'in the log'}. Webfilter calls are synchronous and cannot be replayed.`}
          </p>
          {capped && (
            <p className="mt-2 text-sm text-amber-700" data-testid="bulk-retry-limit">
              One bulk retry queues at most {limit!.toLocaleString()} deliveries (BULK_RETRY_LIMIT), the newest first, so
              receivers are not flooded. Run it again for the other {(count! - limit!).toLocaleString()}.
            </p>
          )}
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => ref.current?.close()}>
              {count ? 'Cancel' : 'Close'}
            </Button>
            {!!count && (
              <Button onClick={confirm} disabled={busy}>
                Retry {queued.toLocaleString()}
              </Button>
            )}
          </div>
        </div>
      </dialog>
    </>
  );
}
