'use client';
// The webhook editor's transformation (SPEC §14): JavaScript defining handler(webhook), a Templates picker
// written for the picked event's fields, and the result of running it on the event's sample.
import { useState } from 'react';
import { Controller, type UseFormReturn } from 'react-hook-form';
import type { EventDef } from '@/lib/catalog';
import { TEMPLATE_IDS, TEMPLATE_LABELS, templateSource, type TemplateId } from '@/lib/transform/templates';
import type { WebhookFormInput, WebhookFormValues } from '@/lib/validation/webhook';
import { CodeField } from '@/components/ui/code-field';
import { inputClass } from '@/components/ui/field';
import { cn } from '@/components/ui/cn';
import type { TransformationState } from './use-transformation';

type Form = UseFormReturn<WebhookFormInput, unknown, WebhookFormValues>;

const smallButton = 'rounded-md px-2 py-1 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50 disabled:opacity-50';

export function TransformationEditor({ form, event, run }: { form: Form; event: EventDef | undefined; run: TransformationState }) {
  const [template, setTemplate] = useState<TemplateId | ''>('');
  const error = form.formState.errors.transformation?.message;
  const source = form.watch('transformation') ?? '';

  const useTemplate = () => {
    if (!template || !event) return;
    form.setValue('transformation', templateSource(template, event), { shouldDirty: true, shouldValidate: true });
  };

  return (
    <section aria-labelledby="transformation-label" className="space-y-2 rounded-lg border border-slate-200 p-4">
      <h3 id="transformation-label" className="text-sm font-semibold text-slate-800">
        Transformation
      </h3>
      <p id="transformation-help" className="text-xs text-slate-500">
        Optional JavaScript defining <code className="font-mono">function handler(webhook)</code>: it gets{' '}
        <code className="font-mono">{'{payload, headers, url, event_type}'}</code> and returns it changed; set{' '}
        <code className="font-mono">webhook.cancel = true</code> to send nothing. It runs once per delivery, when the delivery is created
        (16 MiB, 50 ms, no network); a replay runs it as it is saved then. While you edit, Tab indents; Esc then Tab moves on.
      </p>
      <div className="flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1">
          <label htmlFor="transformation-template" className="block text-xs font-medium text-slate-700">
            Templates
          </label>
          <select
            id="transformation-template"
            className={cn(inputClass, 'py-1.5')}
            value={template}
            onChange={(e) => setTemplate(e.target.value as TemplateId | '')}
            disabled={!event}
          >
            <option value="">{event ? 'Choose a template…' : 'Pick an event first'}</option>
            {TEMPLATE_IDS.map((id) => (
              <option key={id} value={id}>
                {TEMPLATE_LABELS[id]}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className={smallButton} onClick={useTemplate} disabled={!template || !event}>
          {source.trim() ? 'Replace code with template' : 'Use template'}
        </button>
        {source.trim() && (
          <button type="button" className={smallButton} onClick={() => form.setValue('transformation', '', { shouldDirty: true })}>
            Remove transformation
          </button>
        )}
      </div>
      <label htmlFor="transformation-source" className="sr-only">
        Transformation source
      </label>
      <Controller
        control={form.control}
        name="transformation"
        render={({ field }) => (
          <CodeField
            id="transformation-source"
            ref={field.ref}
            name={field.name}
            value={field.value ?? ''}
            onChange={field.onChange}
            onBlur={field.onBlur}
            errorLine={run.state === 'error' ? run.line : null}
            invalid={!!error || run.state === 'error'}
            describedBy="transformation-help transformation-status"
            placeholder={'function handler(webhook) {\n  webhook.payload = { text: "…" };\n  return webhook;\n}'}
          />
        )}
      />
      <p id="transformation-status" role="status" data-testid="transformation-status" className={cn('text-xs', run.state === 'error' || error ? 'font-medium text-red-700' : 'text-slate-500')}>
        {error ??
          (run.state === 'error'
            ? `${run.error}${run.line && !run.error.includes(`line ${run.line}`) ? ` (line ${run.line})` : ''}`
            : run.state === 'running'
              ? 'Running on the sample…'
              : run.state === 'ok'
                ? run.output.cancel
                  ? 'On the sample it cancels the delivery (nothing would be sent).'
                  : 'Runs on the sample: the preview shows what is sent.'
                : 'No transformation: the body is sent as the preview shows.')}
      </p>
    </section>
  );
}
