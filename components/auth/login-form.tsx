'use client';
// The sign-in form.
import { useActionState } from 'react';
import { login, loginWithOpenedx, type LoginState } from '@/app/(auth)/login/actions';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { TextField } from '@/components/ui/field';

export function LoginForm({ next, openedx = false, failure }: { next: string; openedx?: boolean; failure?: string }) {
  const [state, action, pending] = useActionState<LoginState, FormData>(login, {});
  return (
    <Card className="p-6 sm:p-8">
      <h1 className="mb-6 text-xl font-semibold text-slate-900">Sign in</h1>
      {failure && !state.error && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700">
          {failure}
        </p>
      )}
      <form action={action} className="space-y-4">
        <input type="hidden" name="next" value={next} />
        <TextField label="Email" name="email" type="email" autoComplete="username" required autoFocus defaultValue={state.email} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
        {state.error && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700">
            {state.error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      {openedx && (
        <form action={loginWithOpenedx} className="mt-4 border-t border-slate-200 pt-4">
          <input type="hidden" name="next" value={next} />
          <Button type="submit" variant="secondary" className="w-full">
            Sign in with Open edX
          </Button>
        </form>
      )}
    </Card>
  );
}
