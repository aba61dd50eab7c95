// What a webhook's transformation did to this delivery (SPEC §14): built its request, cancelled it, or failed.
import { Badge } from '@/components/ui/badge';

const EXPLAIN: Record<string, string> = {
  applied: 'The webhook’s transformation built this request when the delivery was created; retries send it as it is.',
  cancelled: 'The webhook’s transformation cancelled this delivery (cancel: true): nothing was sent.',
  failed: 'The webhook’s transformation failed, so nothing was sent and nothing is retried. The request below is its input.',
};

const TONES = { applied: 'blue', cancelled: 'gray', failed: 'red' } as const;

export function TransformationBadge({ outcome }: { outcome: Record<string, unknown> | null }) {
  const t = outcome?.transformation;
  if (t !== 'applied' && t !== 'cancelled' && t !== 'failed') return null;
  return <Badge tone={TONES[t]}>{t === 'applied' ? 'transformed' : t === 'cancelled' ? 'cancelled' : 'transformation failed'}</Badge>;
}

export function TransformationOutcome({ outcome, ownUrl }: { outcome: Record<string, unknown> | null; ownUrl: boolean }) {
  const t = String(outcome?.transformation ?? '');
  const reason = typeof outcome?.reason === 'string' ? outcome.reason : null;
  const line = typeof outcome?.line === 'number' ? outcome.line : null;
  return (
    <div className="space-y-2" data-testid="transformation-outcome">
      <div className="flex flex-wrap items-center gap-2">
        <TransformationBadge outcome={outcome} />
        <span className="text-sm text-slate-700">{EXPLAIN[t] ?? ''}</span>
      </div>
      {ownUrl && <p className="text-sm text-slate-700">The transformation chose this delivery’s URL: it is sent there, not to the webhook’s URL.</p>}
      {reason && t !== 'cancelled' && (
        <p className="font-mono text-xs text-red-700" data-testid="transformation-error">
          {reason}
          {line !== null && !reason.includes(`line ${line}`) ? ` (line ${line})` : ''}
        </p>
      )}
    </div>
  );
}
