'use client';
// Joining the team from an invitation: a name and a password, or an Open edX account (the invitation is used).
import { useActionState } from 'react';
import { acceptInvitationAction, type AcceptState } from '@/app/(auth)/invite/[token]/actions';
import { joinWithOpenedx } from '@/app/(auth)/login/actions';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { TextField } from '@/components/ui/field';
import { formatUtc } from '@/components/ui/format';

export function AcceptForm({ token, email, role, expiresAt, openedx }: { token: string; email: string; role: string; expiresAt: string; openedx: boolean }) {
  const [state, action, pending] = useActionState<AcceptState, FormData>(acceptInvitationAction, {});
  const f = state.fieldErrors ?? {};
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="mb-2 text-xl font-semibold text-slate-900">Join the team</h1>
      <p className="mb-6 text-sm text-slate-600">
        You are invited as <b>{email}</b>, with the role <b>{role}</b>. The invitation works once, until {formatUtc(expiresAt)}.
      </p>
      <form action={action} className="space-y-4">
        <input type="hidden" name="token" value={token} />
        <TextField label="Name" name="name" autoComplete="name" defaultValue={state.name} error={f.name} />
        <TextField label="Password" name="password" type="password" autoComplete="new-password" required error={f.password} />
        <TextField label="Confirm password" name="confirm" type="password" autoComplete="new-password" required error={f.confirm} />
        {state.error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700">
            {state.error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? 'Joining…' : 'Join'}
        </Button>
      </form>
      {openedx && (
        <form action={joinWithOpenedx} className="mt-4 border-t border-slate-200 pt-4">
          <input type="hidden" name="token" value={token} />
          <Button type="submit" variant="secondary" className="w-full">
            Join with Open edX
          </Button>
          <p className="mt-2 text-xs text-slate-500">The Open edX account you sign in with joins the team as {email}.</p>
        </form>
      )}
    </Card>
  );
}
