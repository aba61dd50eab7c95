'use client';
// The first-run form: create the first admin account.
import { useActionState } from 'react';
import { setup, type SetupState } from '@/app/(auth)/setup/actions';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { TextField } from '@/components/ui/field';

export function SetupForm() {
  const [state, action, pending] = useActionState<SetupState, FormData>(setup, {});
  const e = state.fieldErrors ?? {};
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="text-xl font-semibold text-slate-900">Create the first admin</h1>
      <p className="mt-1 mb-6 text-sm text-slate-600">
        This service has no admin yet. The account you create here can manage webhooks, webfilters and API keys.
      </p>
      <form action={action} className="space-y-4" noValidate>
        <TextField label="Name" name="name" autoComplete="name" defaultValue={state.values?.name} />
        <TextField label="Email" name="email" type="email" autoComplete="username" required error={e.email} defaultValue={state.values?.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 10 characters."
          error={e.password}
        />
        <TextField label="Confirm password" name="confirm" type="password" autoComplete="new-password" required error={e.confirm} />
        {state.error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700">
            {state.error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? 'Creating…' : 'Create admin and sign in'}
        </Button>
      </form>
    </Card>
  );
}
