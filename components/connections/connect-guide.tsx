'use client';
// How to connect an Open edX platform (Tutor or plain pip), with a button that creates the key it needs.
import { useActionState } from 'react';
import { createApiKeyAction, type CreateKeyState } from '@/app/(admin)/api-keys/create-api-key';
import { useCan } from '@/components/auth/role';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { scrollRegion } from '@/components/ui/scroll-region';

function Snippet({ label, text }: { label: string; text: string }) {
  return (
    <div className="relative">
      <pre {...scrollRegion(label)} className="overflow-x-auto rounded-md bg-slate-900 p-3 pr-20 font-mono text-xs leading-relaxed text-slate-100">
        {text}
      </pre>
      <div className="absolute top-2 right-2">
        <CopyButton value={text} />
      </div>
    </div>
  );
}

export function ConnectGuide({ serviceUrl, open }: { serviceUrl: string; open: boolean }) {
  const [state, action, pending] = useActionState<CreateKeyState, FormData>(createApiKeyAction, {});
  const owner = useCan('owner');
  const key = state.token ?? '<your API key>';
  const settings = `OPENEDX_WEBHOOKS_URL = "${serviceUrl}"\nOPENEDX_WEBHOOKS_API_KEY = "${key}"`;
  return (
    <Card className="p-5">
      <details open={open} className="group" data-testid="connect-guide">
        <summary className="cursor-pointer text-base font-semibold text-slate-900 select-none">How to connect an Open edX platform</summary>
        <div className="mt-4 space-y-6 text-sm text-slate-700">
          <p>
            The <b>openedx-webhooks-relay</b> plugin runs inside the LMS and Studio: it sends every event and filter call that has a webhook
            or webfilter here, and tells this service which events and filters the platform has. Each LMS or Studio appears above after its
            first call.
          </p>

          <section className="space-y-3">
            <h3 className="font-semibold text-slate-900">1. Create a key for the platform</h3>
            <p>The relay calls with an API key that has the <b>events</b> and <b>filters</b> scopes.</p>
            {state.token ? (
              <div className="rounded-md bg-emerald-50 p-3 ring-1 ring-emerald-200" data-testid="new-token">
                <p className="font-medium text-emerald-900">Key “{state.name}” created. Copy it now: it will not be shown again.</p>
                <div className="mt-2 flex items-center gap-2">
                  <code className="min-w-0 flex-1 rounded bg-white px-2 py-1 font-mono text-xs break-all ring-1 ring-emerald-200" data-testid="token-value">
                    {state.token}
                  </code>
                  <CopyButton value={state.token} />
                </div>
              </div>
            ) : !owner ? (
              <p className="text-slate-600">Only an owner can create API keys: ask one for a key with these scopes.</p>
            ) : (
              <form action={action} className="flex flex-wrap items-center gap-3">
                <input type="hidden" name="name" value="Open edX platform (relay)" />
                <input type="hidden" name="scopes" value="events" />
                <input type="hidden" name="scopes" value="filters" />
                <Button type="submit" disabled={pending}>
                  {pending ? 'Creating…' : 'Create a key for Open edX'}
                </Button>
                {state.error && (
                  <p role="alert" className="font-medium text-red-600">
                    {state.error}
                  </p>
                )}
              </form>
            )}
          </section>

          <section className="space-y-3">
            <h3 className="font-semibold text-slate-900">2a. With Tutor</h3>
            <p>
              The <b>tutor-contrib-webhooks</b> plugin runs this service beside Open edX, installs the relay in the LMS and Studio images
              and configures both with a key it generates (no key to create here):
            </p>
            <Snippet label="Tutor commands" text={'pip install tutor-contrib-webhooks\ntutor plugins enable webhooks\ntutor local launch'} />
          </section>

          <section className="space-y-3">
            <h3 className="font-semibold text-slate-900">2b. With pip</h3>
            <p>Install the relay in the Python environment of the LMS and of Studio:</p>
            <Snippet label="pip command" text="pip install openedx-webhooks-relay" />
            <p>Then add these Django settings to both (for example in lms.yml and cms.yml, or a settings file), and restart them:</p>
            <Snippet label="Django settings" text={settings} />
            <p className="text-xs text-slate-500">
              Optional: <code>OPENEDX_WEBHOOKS_TIMEOUT</code> (seconds, default 5), <code>OPENEDX_WEBHOOKS_FILTERS_FAIL_OPEN</code> (default
              True: filters let the process go on when this service cannot be reached), <code>OPENEDX_WEBHOOKS_ENABLED</code> (default True).
            </p>
          </section>
        </div>
      </details>
    </Card>
  );
}
