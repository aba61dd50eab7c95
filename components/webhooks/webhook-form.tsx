'use client';
// The webhook editor: fields validated by the shared zod schema, a live body preview and "Send test".
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { createWebhookAction } from '@/app/(admin)/webhooks/create-webhook';
import { updateWebhookAction } from '@/app/(admin)/webhooks/update-webhook';
import { previewWebhookAction } from '@/app/(admin)/webhooks/preview-webhook';
import { findEvent } from '@/lib/catalog';
import { webhookForm, type WebhookFormInput, type WebhookFormValues } from '@/lib/validation/webhook';
import { BodyPreview } from '@/components/catalog/body-preview';
import { CatalogField } from '@/components/catalog/catalog-field';
import { EVENT_GROUPS } from '@/components/catalog/catalog-groups';
import { usePreview } from '@/components/catalog/use-preview';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { CheckboxField, TextField } from '@/components/ui/field';
import { applyIssues } from '@/components/ui/form-issues';
import { PrivateTargetWarning } from '@/components/ui/private-target-warning';
import { useToast } from '@/components/ui/toast';
import { WebhookTest } from './webhook-test';

const FIELDS = ['description', 'event_type', 'url', 'enabled', 'use_www_form_encoding'];

export function WebhookForm({
  id,
  initial,
  warning: savedWarning,
  children,
}: {
  id: string | null;
  initial: WebhookFormInput;
  warning: string | null;
  /** Shown under the form (the secret and delete panels when editing). */
  children?: React.ReactNode;
}) {
  const router = useRouter();
  const toast = useToast();
  const [warning, setWarning] = useState(savedWarning);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<WebhookFormInput, unknown, WebhookFormValues>({
    resolver: zodResolver(webhookForm),
    defaultValues: initial,
  });
  const { register, control, handleSubmit, setError, formState } = form;
  const { errors, isSubmitting } = formState;
  const eventType = useWatch({ control, name: 'event_type' });
  const formEncoded = useWatch({ control, name: 'use_www_form_encoding' });
  const preview = usePreview(eventType, previewWebhookAction);
  const event = findEvent(eventType);

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await (id ? updateWebhookAction(id, values) : createWebhookAction(values)).catch(() => null);
    if (!result) {
      setFormError('Not saved: the server could not be reached or your session has ended. Sign in again and retry.');
      return;
    }
    if (!result.ok) {
      const rest = applyIssues(setError, FIELDS, result.issues);
      if (rest.length || !result.issues?.length) setFormError(result.error);
      toast(rest.length < (result.issues?.length ?? 0) ? 'Not saved: fix the highlighted fields.' : 'Not saved.', 'error');
      return;
    }
    setWarning(result.warning);
    if ('id' in result) {
      toast('Webhook created.');
      router.push(`/webhooks/${result.id}`);
    } else {
      toast('Webhook saved.');
      form.reset(values);
      router.refresh();
    }
  });

  return (
    // On a phone: form, preview and test, then the extra panels; side by side from lg on.
    <div className="grid gap-6 lg:grid-cols-2 lg:grid-rows-[auto_1fr] lg:items-start">
      <div className="min-w-0 lg:col-start-1 lg:row-start-1">
        <Card className="p-5">
          <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label={id ? 'Edit webhook' : 'New webhook'}>
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
              groups={EVENT_GROUPS}
              error={errors.event_type?.message}
              placeholder="Search events: enrollment, certificate, COURSE_…"
              picked={event && { type: event.eventType, description: event.description }}
              hint="The Open edX event that triggers this webhook."
            />
            <TextField
              label="Webhook URL"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="https://example.com/openedx/webhook"
              error={errors.url?.message}
              {...register('url')}
            />
            <div className="space-y-3">
              <CheckboxField label="Enabled" hint="When off, events are not queued for this webhook." {...register('enabled')} />
              <CheckboxField
                label="Use WWW form encoding"
                hint='Send application/x-www-form-urlencoded, nested keys joined with "_", instead of JSON.'
                {...register('use_www_form_encoding')}
              />
            </div>
            {warning && <PrivateTargetWarning message={warning} />}
            {formError && (
              <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700">
                {formError}
              </p>
            )}
            <div className="flex items-center gap-3">
              <Button type="submit" disabled={isSubmitting} aria-busy={isSubmitting}>
                Save
              </Button>
              <span className="text-xs text-slate-500" aria-live="polite">
                {isSubmitting ? 'Saving…' : formState.isDirty ? 'Unsaved changes' : ''}
              </span>
            </div>
          </form>
        </Card>
      </div>
      <div className="min-w-0 space-y-6 lg:col-start-2 lg:row-span-2 lg:row-start-1">
        <Card className="p-5">
          <BodyPreview
            payload={preview.payload}
            form={!!formEncoded}
            loading={preview.loading}
            empty="Pick an event to see the body this URL will receive."
          />
        </Card>
        <Card className="p-5">
          <WebhookTest id={id} form={form} />
        </Card>
      </div>
      {children && <div className="min-w-0 space-y-6 lg:col-start-1 lg:row-start-2">{children}</div>}
    </div>
  );
}
