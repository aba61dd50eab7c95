'use client';
// Extra request headers for a webhook or webfilter (SPEC §9): name and value rows. Values are write-only: a
// stored header comes back with a blank value, and a blank value keeps what is stored.
import { useFieldArray, type Control, type FieldValues, type UseFormRegister } from 'react-hook-form';
import { inputClass } from '@/components/ui/field';

const smallButton = 'rounded-md px-2 py-1 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50';

export function HeaderFields({
  control,
  register,
  stored,
}: {
  // Any form with a `headers: {name, value}[]` field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  control: Control<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  register: UseFormRegister<any>;
  stored: string[];
}) {
  const rows = useFieldArray({ control: control as Control<FieldValues>, name: 'headers' });
  return (
    <section aria-labelledby="headers-label" className="space-y-2">
      <h3 id="headers-label" className="text-sm font-medium text-slate-800">Headers</h3>
      <p className="text-xs text-slate-500">
        Sent with every call, e.g. Authorization. Values are stored encrypted and never shown again: leave a value blank to keep it.
      </p>
      {rows.fields.map((f, i) => (
        <div key={f.id} className="flex flex-wrap gap-2 sm:flex-nowrap">
          <input aria-label={`Header ${i + 1} name`} className={inputClass} placeholder="Authorization" autoComplete="off" {...register(`headers.${i}.name`)} />
          <input
            aria-label={`Header ${i + 1} value`}
            className={inputClass}
            type="password"
            autoComplete="new-password"
            placeholder={stored.includes((f as unknown as { name: string }).name) ? '•••• (kept)' : 'Bearer …'}
            {...register(`headers.${i}.value`)}
          />
          <button type="button" className={smallButton} onClick={() => rows.remove(i)} aria-label={`Remove header ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className={smallButton} onClick={() => rows.append({ name: '', value: '' })}>
        Add header
      </button>
    </section>
  );
}

/** The rows as the API takes them: name → value, rows without a name dropped. */
export const headersToApi = (rows: { name: string; value: string }[] | undefined) =>
  Object.fromEntries((rows ?? []).filter((h) => h.name.trim()).map((h) => [h.name.trim(), h.value]));
