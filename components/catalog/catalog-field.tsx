'use client';
// The "Event" field of both editors: the catalog picker bound to a form field, with the pick's type and description.
import type { ReactNode } from 'react';
import { Controller, type Control, type FieldValues, type Path } from 'react-hook-form';
import { Field } from '@/components/ui/field';
import { CatalogCombobox, type CatalogGroup } from './catalog-combobox';

export function CatalogField<T extends FieldValues>({
  control,
  name,
  groups,
  error,
  placeholder,
  picked,
  hint,
}: {
  control: Control<T, unknown, any>;
  name: Path<T>;
  groups: CatalogGroup[];
  error?: string;
  placeholder: string;
  /** The picked entry's canonical type and description, once there is one. */
  picked: { type: string; description: string } | undefined;
  hint: ReactNode;
}) {
  const detailsId = `${name}-details`;
  return (
    <Field label="Event" htmlFor={name} error={error}>
      <Controller
        control={control}
        name={name}
        render={({ field }) => (
          <CatalogCombobox
            id={name}
            groups={groups}
            value={field.value}
            onChange={field.onChange}
            onBlur={field.onBlur}
            invalid={!!error}
            describedBy={detailsId}
            placeholder={placeholder}
          />
        )}
      />
      {/* Two lines reserved, so picking an entry does not push the form down. */}
      <p id={detailsId} className="min-h-8 text-xs text-slate-500">
        {picked ? (
          <>
            <code className="font-mono break-all text-slate-700">{picked.type}</code> · {picked.description}
          </>
        ) : (
          hint
        )}
      </p>
    </Field>
  );
}
