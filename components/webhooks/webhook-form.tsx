'use client';
// The webhook editor: fields validated by the shared zod schema, a live body preview and "Send test".
import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { createWebhookAction } from '@/app/(admin)/webhooks/create-webhook';
import { updateWebhookAction } from '@/app/(admin)/webhooks/update-webhook';
import { previewWebhookAction } from '@/app/(admin)/webhooks/preview-webhook';
import { findEvent, type PlatformOnlyCatalog } from '@/lib/catalog';
import { formToApi, webhookForm, type WebhookFormInput, type WebhookFormValues } from '@/lib/validation/webhook';
import { withoutFields } from '@/lib/dispatch/exclude';
import { CatalogField } from '@/components/catalog/catalog-field';
import { eventGroups } from '@/components/catalog/catalog-groups';
import { usePreview } from '@/components/catalog/use-preview';
import { SaveBar, TargetFormLayout } from '@/components/targets/target-form-layout';
import { TargetFields } from '@/components/targets/target-fields';
import { useSaveTarget } from '@/components/targets/use-save-target';
import { TextField } from '@/components/ui/field';
import { WebhookTest } from './webhook-test';
import { WebhookOptions } from './webhook-options';
import { TransformationEditor } from './transformation-editor';
import { personalView } from '@/lib/personal/personal-fields';
import { useTransformation } from './use-transformation';
import { useCan } from '@/components/auth/role';
import { useMemo } from 'react';

const FIELDS = ['description', 'event_type', 'url', 'enabled', 'use_www_form_encoding', 'exclude_fields', 'rate_limit_per_second', 'transformation', 'personal_data'];

export function WebhookForm({
  id,
  initial,
  warning: savedWarning,
  platform,
  storedHeaders = [],
  disabledReason = null,
  children,
}: {
  id: string | null;
  initial: WebhookFormInput;
  warning: string | null;
  /** Events and filters only the connected platforms know (SPEC §8), for the picker. */
  platform?: PlatformOnlyCatalog;
  /** Names of the headers stored (their values are never sent to the browser). */
  storedHeaders?: string[];
  /** Why the service disabled this webhook (auto-disable), if it did. */
  disabledReason?: string | null;
  /** Shown under the form (the secret and delete panels when editing). */
  children?: React.ReactNode;
}) {
  // Before the form validates: the platform's entries must be known to the catalog lookups.
  const groups = useMemo(() => eventGroups(platform), [platform]);
  const form = useForm<WebhookFormInput, unknown, WebhookFormValues>({
    resolver: zodResolver(webhookForm),
    defaultValues: initial,
  });
  const { register, control, formState } = form;
  const { errors, isSubmitting } = formState;
  const eventType = useWatch({ control, name: 'event_type' });
  const formEncoded = useWatch({ control, name: 'use_www_form_encoding' });
  const preview = usePreview(eventType, previewWebhookAction);
  const excluded = useWatch({ control, name: 'exclude_fields' });
  const personal = useWatch({ control, name: 'personal_data' }) ?? 'send';
  const previewPayload = useMemo(() => {
    const paths = (excluded ?? '').split(/[\n,]/).map((p) => p.trim()).filter(Boolean);
    const without = preview.payload && paths.length ? withoutFields(preview.payload, paths) : preview.payload;
    // The real pseudonyms are keyed on the server: the preview shows where they go.
    return without && personalView(without, personal, () => 'anon_… (stable per learner)');
  }, [preview.payload, excluded, personal]);
  const event = findEvent(eventType);
  const canEdit = useCan('editor');
  const source = useWatch({ control, name: 'transformation' }) ?? '';
  const url = useWatch({ control, name: 'url' }) ?? '';
  const run = useTransformation(source, eventType, url, !!formEncoded, canEdit);
  const transformed = run.state === 'ok' ? { state: 'ok' as const, ...run.output } : run.state === 'none' ? null : run;
  const { onSubmit, warning, formError } = useSaveTarget({
    id,
    noun: 'webhook',
    fields: FIELDS,
    form,
    warning: savedWarning,
    create: (v) => createWebhookAction(formToApi(v)),
    update: (i, v) => updateWebhookAction(i, formToApi(v)),
    reset: (values) => form.reset(values),
  });

  return (
    <TargetFormLayout
      preview={{ ...preview, payload: previewPayload, form: !!formEncoded, transformed, empty: 'Pick an event to see the body this URL will receive.' }}
      test={<WebhookTest id={id} form={form} />}
      form={
        <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label={id ? 'Edit webhook' : 'New webhook'}>
          {disabledReason && (
            <p role="status" className="rounded-md bg-amber-50 p-3 text-sm text-amber-800 ring-1 ring-inset ring-amber-200">
              {disabledReason} Turn on <strong>Enabled</strong> and save to send again.
            </p>
          )}
          <TextField
            label="Description"
            placeholder="What this webhook is for, e.g. CRM sync"
            autoComplete="off"
            error={errors.description?.message}
            {...register('description')}
          />
          <CatalogField
            control={control}
            name="event_type"
            groups={groups}
            error={errors.event_type?.message}
            placeholder="Search events: enrollment, certificate, COURSE_…"
            picked={event && { type: event.eventType, description: event.description }}
            hint="The Open edX event that triggers this webhook."
          />
          <TargetFields
            urlPlaceholder="https://example.com/openedx/webhook"
            urlError={errors.url?.message}
            enabledHint="When off, events are not queued for this webhook."
            url={register('url')}
            enabled={register('enabled')}
            formEncoding={register('use_www_form_encoding')}
          />
          <WebhookOptions form={form} sample={preview.payload} storedHeaders={storedHeaders} />
          <TransformationEditor form={form} event={event} run={run} />
          <SaveBar warning={warning} error={formError} submitting={isSubmitting} dirty={formState.isDirty} />
        </form>
      }
    >
      {children}
    </TargetFormLayout>
  );
}
