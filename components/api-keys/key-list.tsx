'use client';
// The API keys, newest first, with revoke.
import { revokeApiKeyAction } from '@/app/(admin)/api-keys/revoke-api-key';
import { Badge } from '@/components/ui/badge';
import { Card, EmptyState } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-dialog';
import { useToast } from '@/components/ui/toast';
import { formatUtc } from '@/components/ui/format';

export interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  createdBy?: string | null;
  expiresAt?: string | null;
  revokedAt: string | null;
}

const when = (iso: string | null) => formatUtc(iso);

export function ApiKeyList({ keys }: { keys: KeyRow[] }) {
  const toast = useToast();
  if (keys.length === 0) {
    return (
      <EmptyState title="No API keys yet">
        Create one for your LMS with the <b>events</b> and <b>filters</b> scopes, then set it in the LMS configuration.
      </EmptyState>
    );
  }
  return (
    <Card className="h-fit overflow-hidden">
      <ul className="divide-y divide-slate-200">
        {keys.map((k) => (
          <li key={k.id} className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center" data-testid="api-key-row">
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium text-slate-900">{k.name}</span>
                {/* The initial key shows a fixed label: its token was chosen by the operator, so none of it is shown. */}
                <code className="font-mono text-xs text-slate-500">{k.prefix === 'INITIAL_API_KEY' ? k.prefix : `${k.prefix}…`}</code>
                {k.revokedAt && <Badge tone="red">revoked</Badge>}
                {!k.revokedAt && k.expiresAt && new Date(k.expiresAt) <= new Date() && <Badge tone="red">expired</Badge>}
              </div>
              <div className="mt-1 flex flex-wrap gap-1.5">
                {k.scopes.map((s) => (
                  <Badge key={s} tone="indigo">
                    {s}
                  </Badge>
                ))}
              </div>
              <p className="mt-1 text-xs text-slate-500">
                Created {when(k.createdAt)}
                {k.createdBy && ` by ${k.createdBy}`} · last used {when(k.lastUsedAt)} · {k.expiresAt ? `expires ${when(k.expiresAt)}` : 'never expires'}
                {k.revokedAt && ` · revoked ${when(k.revokedAt)}`}
              </p>
            </div>
            {!k.revokedAt && (
              <ConfirmButton
                label="Revoke"
                size="sm"
                title={`Revoke “${k.name}”?`}
                confirmLabel="Revoke key"
                onConfirm={async () => {
                  const r = await revokeApiKeyAction(k.id);
                  toast(r.error ?? 'Key revoked.', r.error ? 'error' : 'success');
                }}
              >
                Calls made with this key will be refused at once. This cannot be undone.
              </ConfirmButton>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
