'use client';
// The webhook's signing secret: hidden until asked for, copyable, and rotated after a confirmation.
import { useState } from 'react';
import { revealWebhookSecretAction } from '@/app/(admin)/webhooks/reveal-webhook-secret';
import { rotateWebhookSecretAction } from '@/app/(admin)/webhooks/rotate-webhook-secret';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-dialog';
import { CopyButton } from '@/components/ui/copy-button';
import { useToast } from '@/components/ui/toast';

export function SecretPanel({ id }: { id: string }) {
  const toast = useToast();
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reveal = async () => {
    setBusy(true);
    const r = await revealWebhookSecretAction(id).finally(() => setBusy(false));
    if (r.secret) setSecret(r.secret);
    else toast(r.error ?? 'The secret could not be read.', 'error');
  };

  return (
    <Card className="p-5">
      <h2 className="text-sm font-semibold text-slate-900">Signing secret</h2>
      <p className="mt-1 text-xs text-slate-500">
        Every call carries <code className="font-mono">webhook-id</code>, <code className="font-mono">webhook-timestamp</code> and{' '}
        <code className="font-mono">webhook-signature</code> (Standard Webhooks). Verify them with this secret.
      </p>
      <div className="mt-3 flex min-h-9 flex-wrap items-center gap-2">
        {secret ? (
          <>
            <code data-testid="webhook-secret" className="min-w-0 flex-1 truncate rounded bg-slate-50 px-2 py-1.5 font-mono text-xs ring-1 ring-slate-200">
              {secret}
            </code>
            <CopyButton value={secret} />
            <Button variant="ghost" size="sm" onClick={() => setSecret(null)}>
              Hide
            </Button>
          </>
        ) : (
          <>
            <code aria-label="Secret hidden" className="min-w-0 flex-1 truncate rounded bg-slate-50 px-2 py-1.5 font-mono text-xs text-slate-600 ring-1 ring-slate-200">
              whsec_••••••••••••••••••••••••
            </code>
            <Button variant="secondary" size="sm" onClick={reveal} disabled={busy}>
              Show secret
            </Button>
          </>
        )}
        <ConfirmButton
          label="Rotate secret"
          size="sm"
          title="Rotate the signing secret?"
          confirmLabel="Rotate secret"
          onConfirm={async () => {
            const r = await rotateWebhookSecretAction(id);
            if (r.secret) {
              setSecret(r.secret);
              toast('Secret rotated: update your receiver.');
            } else toast(r.error ?? 'The secret was not rotated.', 'error');
          }}
        >
          Calls are signed with the new secret from now on, retries of earlier events included. Receivers checking the old
          secret will reject them until you update them.
        </ConfirmButton>
      </div>
    </Card>
  );
}
