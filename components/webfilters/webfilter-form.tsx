'use client';
// The webfilter editor: the filter picker, only the options the filter allows, its reply format,
// a live body preview and "Send test" through the real filter engine.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { createWebfilterAction } from '@/app/(admin)/webfilters/create-webfilter';
import { updateWebfilterAction } from '@/app/(admin)/webfilters/update-webfilter';
import { previewWebfilterAction } from '@/app/(admin)/webfilters/preview-webfilter';
import { findFilter } from '@/lib/catalog';
import {
  filterOptions,
  HALT_KEYS,
  REDIRECT_KEYS,
  webfilterForm,
  type WebfilterFormInput,
  type WebfilterFormValues,
} from '@/lib/validation/webfilter';
import { BodyPreview } from '@/components/catalog/body-preview';
import { CatalogField } from '@/components/catalog/catalog-field';
import { FILTER_GROUPS } from '@/components/catalog/catalog-groups';
import { usePreview } from '@/components/catalog/use-preview';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { CheckboxField, TextField } from '@/components/ui/field';
import { applyIssues } from '@/components/ui/form-issues';
import { PrivateTargetWarning } from '@/components/ui/private-target-warning';
import { useToast } from '@/components/ui/toast';
import { FilterGuide } from './filter-guide';
import { WebfilterOptions } from './webfilter-options';
import { WebfilterTest } from './webfilter-test';

const FIELDS = [
  'description', 'filter_type', 'url', 'enabled', 'disable_filtering', 'disable_halting', ...HALT_KEYS, ...REDIRECT_KEYS,
  'use_www_form_encoding', 'position',
];

export function WebfilterForm({
  id,
  initial,
  warning: savedWarning,
  children,
}: {
  id: string | null;
  initial: WebfilterFormInput;
  warning: string | null;
  children?: React.ReactNode;
}) {
  const router = useRouter();
  const toast = useToast();
  const [warning, setWarning] = useState(savedWarning);
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<WebfilterFormInput, unknown, WebfilterFormValues>({
    resolver: zodResolver(webfilterForm),
    defaultValues: initial,
  });
  const { register, control, handleSubmit, setError, setValue, formState } = form;
  const { errors, isSubmitting } = formState;
  const filterType = useWatch({ control, name: 'filter_type' });
  const formEncoded = useWatch({ control, name: 'use_www_form_encoding' });
  const preview = usePreview(filterType, previewWebfilterAction);
  const filter = findFilter(filterType);

  // Options the new filter cannot honour are cleared, so hidden fields never block a save.
  useEffect(() => {
    if (!filter) return;
    const { canHalt, canRedirect } = filterOptions(filter);
    if (!canHalt) {
      setValue('disable_halting', false);
      for (const k of HALT_KEYS) setValue(k, false);
    }
    if (!canRedirect) for (const k of REDIRECT_KEYS) setValue(k, '');
  }, [filter, setValue]);

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    const result = await (id ? updateWebfilterAction(id, values) : createWebfilterAction(values)).catch(() => null);
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
      toast('Webfilter created.');
      router.push(`/webfilters/${result.id}`);
    } else {
      toast('Webfilter saved.');
      form.reset({ ...values, position: result.position });
      router.refresh();
    }
  });

  return (
    // On a phone: form, preview and test, then the extra panels; side by side from lg on.
    <div className="grid gap-6 lg:grid-cols-2 lg:grid-rows-[auto_1fr] lg:items-start">
      <div className="min-w-0 lg:col-start-1 lg:row-start-1">
        <Card className="p-5">
          <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label={id ? 'Edit webfilter' : 'New webfilter'}>
            <TextField
              label="Description"
              placeholder="What this webfilter is for, e.g. Block sign-ins during exams"
              autoComplete="off"
              error={errors.description?.message}
              {...register('description')}
            />
            {/* Labelled "Event" as in the spec's list of form labels. */}
            <CatalogField
              control={control}
              name="filter_type"
              groups={FILTER_GROUPS}
              error={errors.filter_type?.message}
              placeholder="Search filters: login, registration, enrollment…"
              picked={filter && { type: filter.filterType, description: filter.description }}
              hint="The Open edX filter this webfilter takes part in."
            />
            <TextField
              label="Webhook URL"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="https://example.com/openedx/filter"
              error={errors.url?.message}
              {...register('url')}
            />
            <div className="space-y-3">
              <CheckboxField label="Enabled" hint="When off, filter calls skip this webfilter." {...register('enabled')} />
              <CheckboxField
                label="Use WWW form encoding"
                hint='Send application/x-www-form-urlencoded, nested keys joined with "_", instead of JSON.'
                {...register('use_www_form_encoding')}
              />
            </div>
            <WebfilterOptions filter={filter} register={register} errors={errors} />
            <TextField
              label="Position"
              type="number"
              min={0}
              step={1}
              className="max-w-32"
              hint="Answers apply in this order, lowest first: a later webfilter overrides an earlier one. Empty: after the others."
              error={errors.position?.message}
              {...register('position', { setValueAs: (v) => (v === '' || v == null ? undefined : Number(v)) })}
            />
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
        {filter && (
          <Card className="p-5">
            <FilterGuide filter={filter} />
          </Card>
        )}
        <Card className="p-5">
          <BodyPreview
            payload={preview.payload}
            form={!!formEncoded}
            loading={preview.loading}
            empty="Pick a filter to see the body this URL will receive."
          />
        </Card>
        <Card className="p-5">
          <WebfilterTest id={id} form={form} />
        </Card>
      </div>
      {children && <div className="min-w-0 space-y-6 lg:col-start-1 lg:row-start-2">{children}</div>}
    </div>
  );
}
