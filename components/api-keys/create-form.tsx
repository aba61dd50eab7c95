'use client';
// New API key form; the token appears once, with a copy button.
import { useActionState, useId } from 'react';
import { createApiKeyAction, type CreateKeyState } from '@/app/(admin)/api-keys/create-api-key';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { CheckboxField, Field, TextField, inputClass } from '@/components/ui/field';
import { CopyButton } from '@/components/ui/copy-button';

const SCOPE_HINTS = {
  events: 'Send events to /api/events (the LMS).',
  filters: 'Call filters at /api/filters (the LMS).',
  admin: 'Manage webhooks, webfilters and deliveries through /api/v1.',
  metrics: 'Read Prometheus metrics at /api/metrics (a scraper).',
} as const;

export function CreateApiKeyForm() {
  const [state, action, pending] = useActionState<CreateKeyState, FormData>(createApiKeyAction, {});
  const expiresId = useId();
  return (
    <Card className="h-fit p-5">
      <h2 className="mb-4 text-base font-semibold text-slate-900">New API key</h2>
      {state.token && (
        <div className="mb-5 rounded-md bg-emerald-50 p-3 ring-1 ring-emerald-200" data-testid="new-token">
          <p className="text-sm font-medium text-emerald-900">Key “{state.name}” created. Copy it now: it will not be shown again.</p>
          <div className="mt-2 flex items-center gap-2">
            <code className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-emerald-200" data-testid="token-value">
              {state.token}
            </code>
            <CopyButton value={state.token} />
          </div>
        </div>
      )}
      <form action={action} className="space-y-4" key={state.token ?? 'form'}>
        <TextField label="Name" name="name" placeholder="LMS production" required maxLength={100} />
        <fieldset className="space-y-3">
          <legend className="mb-2 text-sm font-medium text-slate-800">Scopes</legend>
          {(Object.keys(SCOPE_HINTS) as (keyof typeof SCOPE_HINTS)[]).map((scope) => (
            <CheckboxField key={scope} name="scopes" value={scope} label={scope} hint={SCOPE_HINTS[scope]} defaultChecked={scope === 'events' || scope === 'filters'} />
          ))}
        </fieldset>
        <Field label="Expires" htmlFor={expiresId} hint="After this the key is refused with a sentence saying it expired.">
          <select id={expiresId} name="expires_in_days" defaultValue="" className={inputClass}>
            <option value="">Never</option>
            <option value="30">In 30 days</option>
            <option value="90">In 90 days</option>
            <option value="365">In a year</option>
          </select>
        </Field>
        {state.error && (
          <p role="alert" className="text-sm font-medium text-red-600">
            {state.error}
          </p>
        )}
        <Button type="submit" disabled={pending}>
          {pending ? 'Creating…' : 'Create key'}
        </Button>
      </form>
    </Card>
  );
}
