'use client';
// The webhook editor's SPEC §9 options: headers (values write-only), conditions with a live check against the
// event's sample payload, excluded fields (applied to the preview) and the rate limit.
import { useMemo } from 'react';
import { useFieldArray, useWatch, type UseFormReturn } from 'react-hook-form';
import { conditionsFailure, payloadPaths } from '@/lib/dispatch/conditions';
import { CONDITION_OPS } from '@/lib/validation/webhook-options';
import { formConditions, type WebhookFormInput, type WebhookFormValues } from '@/lib/validation/webhook';
import type { WebhookCondition } from '@/lib/db/schema';
import { inputClass } from '@/components/ui/field';
import { HeaderFields } from '@/components/targets/header-fields';

type Form = UseFormReturn<WebhookFormInput, unknown, WebhookFormValues>;

const OP_LABELS: Record<(typeof CONDITION_OPS)[number], string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  in: 'is one of',
  not_in: 'is not one of',
  starts_with: 'starts with',
  exists: 'exists',
  not_exists: 'does not exist',
};

const smallButton = 'rounded-md px-2 py-1 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50';

/** The sample payload without event_metadata: what conditions see. */
export function sampleData(payload: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!payload) return null;
  const { event_metadata: _m, ...data } = payload;
  return data;
}

export function WebhookOptions({ form, sample, storedHeaders }: { form: Form; sample: Record<string, unknown> | null; storedHeaders: string[] }) {
  const { register, control, formState } = form;
  const conditions = useFieldArray({ control, name: 'conditions' });
  const rows = useWatch({ control, name: 'conditions' });
  const data = sampleData(sample);
  const paths = useMemo(() => (data ? payloadPaths(data) : []), [data]);
  const live = data && rows?.some((r) => r.path) ? conditionsFailure(data, formConditions(rows as never) as WebhookCondition[]) : undefined;
  const rateError = formState.errors.rate_limit_per_second?.message;

  return (
    <fieldset className="min-w-0 space-y-5 rounded-lg border border-slate-200 p-4">
      <legend className="px-1 text-sm font-semibold text-slate-800">Options</legend>

      <HeaderFields control={control as never} register={register as never} stored={storedHeaders} />

      <section aria-labelledby="conditions-label" className="space-y-2">
        <h3 id="conditions-label" className="text-sm font-medium text-slate-800">Conditions</h3>
        <p className="text-xs text-slate-500">All must hold on the event&apos;s data for it to be sent to this webhook. Lists: comma-separated.</p>
        <datalist id="payload-paths">
          {paths.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        {conditions.fields.map((f, i) => {
          const op = rows?.[i]?.op;
          return (
            <div key={f.id} className="flex flex-wrap gap-2 sm:flex-nowrap">
              <input aria-label={`Condition ${i + 1} path`} className={inputClass} list="payload-paths" placeholder="enrollment.course.course_key" autoComplete="off" {...register(`conditions.${i}.path`)} />
              <select aria-label={`Condition ${i + 1} operator`} className={inputClass} {...register(`conditions.${i}.op`)}>
                {CONDITION_OPS.map((o) => (
                  <option key={o} value={o}>
                    {OP_LABELS[o]}
                  </option>
                ))}
              </select>
              {op !== 'exists' && op !== 'not_exists' && (
                <input aria-label={`Condition ${i + 1} value`} className={inputClass} autoComplete="off" {...register(`conditions.${i}.value`)} />
              )}
              <button type="button" className={smallButton} onClick={() => conditions.remove(i)} aria-label={`Remove condition ${i + 1}`}>
                Remove
              </button>
            </div>
          );
        })}
        <button type="button" className={smallButton} onClick={() => conditions.append({ path: '', op: 'equals', value: '' })}>
          Add condition
        </button>
        {live !== undefined && (
          <p role="status" data-testid="sample-match" className={live ? 'text-xs font-medium text-amber-700' : 'text-xs font-medium text-emerald-700'}>
            {live ? `The sample event does not match. ${live}` : 'The sample event matches.'}
          </p>
        )}
      </section>

      <div className="space-y-1.5">
        <label htmlFor="personal-data" className="block text-sm font-medium text-slate-800">Personal data</label>
        <select id="personal-data" className={inputClass} {...register('personal_data')}>
          <option value="send">Send it as it is</option>
          <option value="omit">Omit it</option>
          <option value="pseudonymize">Pseudonymize it</option>
        </select>
        <p className="text-xs text-slate-500">
          Learners&apos; usernames, emails, names and IP addresses (the pii objects and more). Pseudonymized: each value becomes a
          stable anon_… code, the same for the same learner at this webhook, so records can be joined without knowing who.
        </p>
      </div>

      <div className="space-y-1.5">
        <label htmlFor="exclude-fields" className="block text-sm font-medium text-slate-800">Excluded fields</label>
        <textarea id="exclude-fields" rows={2} className={inputClass} placeholder="enrollment.user.pii.email" {...register('exclude_fields')} />
        <p className="text-xs text-slate-500">Paths removed from the body before sending, one per line; the preview shows the result.</p>
      </div>

      <div className="space-y-1.5">
        <label htmlFor="rate-limit" className="block text-sm font-medium text-slate-800">Rate limit (calls per second)</label>
        <input id="rate-limit" inputMode="numeric" className={inputClass} placeholder="No limit" aria-invalid={!!rateError} {...register('rate_limit_per_second')} />
        {rateError ? (
          <p role="alert" className="text-xs font-medium text-red-600">{rateError}</p>
        ) : (
          <p className="text-xs text-slate-500">Calls over it wait their turn; they never fail for it.</p>
        )}
      </div>
    </fieldset>
  );
}
