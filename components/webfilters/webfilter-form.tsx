'use client';
// The webfilter editor: the filter picker, only the options the filter allows, its reply format,
// a live body preview and "Send test" through the real filter engine.
import { useEffect, useMemo } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { createWebfilterAction } from '@/app/(admin)/webfilters/create-webfilter';
import { updateWebfilterAction } from '@/app/(admin)/webfilters/update-webfilter';
import { previewWebfilterAction } from '@/app/(admin)/webfilters/preview-webfilter';
import { findFilter, type PlatformOnlyCatalog } from '@/lib/catalog';
import {
  filterOptions,
  HALT_KEYS,
  REDIRECT_KEYS,
  webfilterForm,
  type WebfilterFormInput,
  type WebfilterFormValues,
} from '@/lib/validation/webfilter';
import { CatalogField } from '@/components/catalog/catalog-field';
import { filterGroups } from '@/components/catalog/catalog-groups';
import { usePreview } from '@/components/catalog/use-preview';
import { TargetFields } from '@/components/targets/target-fields';
import { SaveBar, TargetFormLayout } from '@/components/targets/target-form-layout';
import { useSaveTarget } from '@/components/targets/use-save-target';
import { SelectField, TextField } from '@/components/ui/field';
import { FilterGuide } from './filter-guide';
import { WebfilterOptions } from './webfilter-options';
import { WebfilterTest } from './webfilter-test';
import { HeaderFields, headersToApi } from '@/components/targets/header-fields';

const FIELDS = [
  'description', 'filter_type', 'mode', 'personal_data', 'url', 'enabled', 'disable_filtering', 'disable_halting', ...HALT_KEYS, ...REDIRECT_KEYS,
  'use_www_form_encoding', 'position',
];

export function WebfilterForm({
  id,
  initial,
  warning: savedWarning,
  platform,
  storedHeaders = [],
  children,
}: {
  id: string | null;
  initial: WebfilterFormInput;
  /** Names of the headers stored (their values never reach the browser). */
  storedHeaders?: string[];
  warning: string | null;
  /** Events and filters only the connected platforms know (SPEC §8), for the picker. */
  platform?: PlatformOnlyCatalog;
  children?: React.ReactNode;
}) {
  // Before the form validates: the platform's entries must be known to the catalog lookups.
  const groups = useMemo(() => filterGroups(platform), [platform]);
  const form = useForm<WebfilterFormInput, unknown, WebfilterFormValues>({
    resolver: zodResolver(webfilterForm),
    defaultValues: initial,
  });
  const { register, control, setValue, formState } = form;
  const { errors, isSubmitting } = formState;
  const filterType = useWatch({ control, name: 'filter_type' });
  const formEncoded = useWatch({ control, name: 'use_www_form_encoding' });
  const mode = useWatch({ control, name: 'mode' });
  const preview = usePreview(filterType, previewWebfilterAction);
  const filter = findFilter(filterType);
  const { onSubmit, warning, formError } = useSaveTarget({
    id,
    noun: 'webfilter',
    fields: FIELDS,
    form,
    warning: savedWarning,
    create: (v) => createWebfilterAction({ ...v, headers: headersToApi(v.headers) }),
    update: (i, v) => updateWebfilterAction(i, { ...v, headers: headersToApi(v.headers) }),
    reset: (values, saved) => form.reset({ ...values, position: saved.position }),
  });

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

  return (
    <TargetFormLayout
      guide={filter && <FilterGuide filter={filter} />}
      preview={{ ...preview, form: !!formEncoded, empty: 'Pick a filter to see the body this URL will receive.' }}
      test={<WebfilterTest id={id} form={form} />}
      form={
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
            groups={groups}
            error={errors.filter_type?.message}
            placeholder="Search filters: login, registration, enrollment…"
            picked={filter && { type: filter.filterType, description: filter.description }}
            hint="The Open edX filter this webfilter takes part in."
          />
          <TargetFields
            urlPlaceholder="https://example.com/openedx/filter"
            urlError={errors.url?.message}
            enabledHint="When off, filter calls skip this webfilter."
            url={register('url')}
            enabled={register('enabled')}
            formEncoding={register('use_www_form_encoding')}
          />
          <SelectField
            label="Mode"
            className="max-w-xs"
            hint={
              mode === 'shadow'
                ? 'Shadow: called like the others and logged with what it would have done, but its answer never changes data or halts anything.'
                : 'Enforce: its answer changes the data or halts the process, as its options say.'
            }
            error={errors.mode?.message}
            {...register('mode')}
          >
            <option value="enforce">Enforce</option>
            <option value="shadow">Shadow (try it without risk)</option>
          </SelectField>
          <SelectField
            label="Personal data"
            className="max-w-xs"
            hint="Omitted: learners' usernames, emails, names and IP addresses are left out of the call; its answer then cannot refer to them (a webfilter cannot get pseudonyms: it could not change data it never saw)."
            error={errors.personal_data?.message}
            {...register('personal_data')}
          >
            <option value="send">Send it as it is</option>
            <option value="omit">Omit it</option>
          </SelectField>
          <WebfilterOptions filter={filter} register={register} errors={errors} />
          <HeaderFields control={control as never} register={register as never} stored={storedHeaders} />
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
          <SaveBar warning={warning} error={formError} submitting={isSubmitting} dirty={formState.isDirty} />
        </form>
      }
    >
      {children}
    </TargetFormLayout>
  );
}
