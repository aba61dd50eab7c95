'use client';
// Invite someone: email and role; the link is shown once, to copy (and mailed when SMTP_URL is set).
import { useActionState, useId } from 'react';
import { inviteUserAction, type InviteState } from '@/app/(admin)/users/invite-user';
import { ROLES } from '@/lib/auth/roles';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { Field, TextField, inputClass } from '@/components/ui/field';
import { formatUtc } from '@/components/ui/format';

export function InviteForm({ mail }: { mail: boolean }) {
  const [state, action, pending] = useActionState<InviteState, FormData>(inviteUserAction, {});
  const roleId = useId();
  return (
    <Card className="h-fit p-5">
      <h2 className="mb-4 text-base font-semibold text-slate-900">Invite</h2>
      {state.url && (
        <div className="mb-5 rounded-md bg-emerald-50 p-3 ring-1 ring-emerald-200" data-testid="invitation">
          <p className="text-sm font-medium text-emerald-900">
            Invitation for {state.email} created{state.mailed ? ' and mailed' : ''}. Copy the link now: it will not be shown again. It works once,
            until {formatUtc(state.expiresAt ?? null)}.
          </p>
          <div className="mt-2 flex items-center gap-2">
            <code className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-emerald-200" data-testid="invitation-url">
              {state.url}
            </code>
            <CopyButton value={state.url} />
          </div>
          {state.mailError && <p className="mt-2 text-xs text-amber-800">{state.mailError}</p>}
        </div>
      )}
      <form action={action} className="space-y-4" key={state.url ?? 'form'}>
        <TextField label="Email" name="email" type="email" required placeholder="colleague@example.org" />
        <Field label="Role" htmlFor={roleId}>
          <select id={roleId} name="role" defaultValue="viewer" className={inputClass}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <p className="text-xs text-slate-500">
          {mail ? 'The link is mailed and shown here.' : 'No mail server is set (SMTP_URL): send the link yourself.'} The invitee chooses a
          password or signs in with Open edX.
        </p>
        {state.error && (
          <p role="alert" className="text-sm font-medium text-red-600">
            {state.error}
          </p>
        )}
        <Button type="submit" disabled={pending}>
          {pending ? 'Inviting…' : 'Invite'}
        </Button>
      </form>
    </Card>
  );
}
