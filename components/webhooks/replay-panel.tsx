'use client';
// Replay (SPEC §9): send this webhook the stored events of its type in a time range again. The count comes
// first; nothing is sent until it is confirmed. The deliveries are marked as replays in the log.
import { useState } from 'react';
import { replayWebhookAction } from '@/app/(admin)/webhooks/replay-webhook';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { inputClass } from '@/components/ui/field';
import { useToast } from '@/components/ui/toast';

/** "2026-03-14T10:00" in the browser's zone → ISO UTC; '' when empty or unreadable. */
const iso = (local: string) => {
  const t = local ? new Date(local).getTime() : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : '';
};

export function ReplayPanel({ id, eventType }: { id: string; eventType: string }) {
  const toast = useToast();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [count, setCount] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    const r = await replayWebhookAction(id, { from: iso(from), to: iso(to), dry_run: dryRun })
      .catch(() => ({ ok: false as const, error: 'The server could not be reached.' }))
      .finally(() => setBusy(false));
    if (!r.ok) return setError(r.error);
    if (dryRun) return setCount(r.deliveries);
    setCount(null);
    toast(`${r.deliveries} event${r.deliveries === 1 ? '' : 's'} queued for replay.`);
  };

  return (
    <Card className="p-5">
      <h2 className="text-sm font-semibold text-slate-900">Replay</h2>
      <p className="mt-1 text-xs text-slate-500">
        Send this webhook again the stored <code className="break-all font-mono">{eventType}</code> events received in a range (events are kept for
        RETENTION_DAYS). Its current conditions and exclusions apply, and its transformation as it is saved now (not as it was when the events came).
      </p>
      <div className="mt-3 grid gap-2 sm:grid-cols-2">
        <label className="text-xs font-medium text-slate-700">
          From
          <input type="datetime-local" className={inputClass} value={from} onChange={(e) => (setFrom(e.target.value), setCount(null))} />
        </label>
        <label className="text-xs font-medium text-slate-700">
          To
          <input type="datetime-local" className={inputClass} value={to} onChange={(e) => (setTo(e.target.value), setCount(null))} />
        </label>
      </div>
      {error && (
        <p role="alert" className="mt-2 text-xs font-medium text-red-600">
          {error}
        </p>
      )}
      <div className="mt-3 flex flex-wrap items-center gap-2">
        {count === null ? (
          <Button variant="secondary" size="sm" onClick={() => run(true)} disabled={busy || !from || !to}>
            Count events
          </Button>
        ) : (
          <div role="alertdialog" aria-label="Confirm replay" className="flex flex-wrap items-center gap-2">
            <p className="text-sm text-slate-800">
              {count === 0 ? 'No stored events in that range.' : `${count} event${count === 1 ? '' : 's'} will be sent again.`}
            </p>
            {count > 0 && (
              <Button size="sm" onClick={() => run(false)} disabled={busy}>
                Replay {count} event{count === 1 ? '' : 's'}
              </Button>
            )}
            <Button variant="ghost" size="sm" onClick={() => setCount(null)}>
              Cancel
            </Button>
          </div>
        )}
      </div>
    </Card>
  );
}
