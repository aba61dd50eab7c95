'use client';
// The webfilter options that make sense for the chosen filter, each with a one-line explanation.
import type { FieldErrors, UseFormRegister } from 'react-hook-form';
import type { FilterDef } from '@/lib/catalog';
import { filterOptions, type WebfilterFormInput } from '@/lib/validation/webfilter';
import { CheckboxField, TextField } from '@/components/ui/field';

const HALTS = [
  { halt: 'halt_on_4xx', redirect: 'redirect_on_4xx', label: '4xx', when: 'answers with a 4xx status' },
  { halt: 'halt_on_5xx', redirect: 'redirect_on_5xx', label: '5xx', when: 'answers with a 5xx status' },
  {
    halt: 'halt_on_request_exception',
    redirect: 'redirect_on_request_exception',
    label: 'request exception',
    when: 'cannot be reached or times out',
  },
] as const;

export function WebfilterOptions({
  filter,
  register,
  errors,
}: {
  filter: FilterDef | undefined;
  register: UseFormRegister<WebfilterFormInput>;
  errors: FieldErrors<WebfilterFormInput>;
}) {
  const { canHalt, canRedirect } = filterOptions(filter);
  const exception = filter?.exceptions.find((x) => x.name !== 'RedirectToPage')?.name ?? filter?.exceptions[0]?.name;
  return (
    <fieldset className="space-y-3">
      <legend className="mb-2 text-sm font-semibold text-slate-900">How answers are used</legend>
      <CheckboxField
        label="Disable filtering"
        hint="Ignore the data in this webfilter’s answers (it can still halt)."
        {...register('disable_filtering')}
      />
      {canHalt && (
        <>
          <CheckboxField
            label="Disable halting"
            hint="Ignore any exception in its answers (it can still change data)."
            {...register('disable_halting')}
          />
          {HALTS.map((h) => (
            <div key={h.halt} className="space-y-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
              <CheckboxField
                label={`Halt on ${h.label}`}
                hint={`Stop the process with ${exception} when this URL ${h.when}.`}
                {...register(h.halt)}
              />
              {canRedirect && (
                <TextField
                  label={`Redirect on ${h.label}`}
                  hint="Where the learner is sent when that happens; empty for no redirect."
                  placeholder="/dashboard or https://…"
                  inputMode="url"
                  autoComplete="off"
                  error={errors[h.redirect]?.message}
                  {...register(h.redirect)}
                />
              )}
            </div>
          ))}
          {!canRedirect && <p className="text-xs text-slate-500">No exception of {filter?.name} takes a redirect URL.</p>}
        </>
      )}
      {filter && !canHalt && (
        <p className="text-xs text-slate-500">{filter.name} has no exception, so there are no halting options.</p>
      )}
    </fieldset>
  );
}
