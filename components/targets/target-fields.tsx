'use client';
// The fields both editors have after the picker: the URL to call, Enabled and "Use WWW form encoding".
import type { UseFormRegisterReturn } from 'react-hook-form';
import { CheckboxField, TextField } from '@/components/ui/field';

export function TargetFields({
  urlPlaceholder,
  urlError,
  enabledHint,
  url,
  enabled,
  formEncoding,
}: {
  urlPlaceholder: string;
  urlError: string | undefined;
  enabledHint: string;
  url: UseFormRegisterReturn<'url'>;
  enabled: UseFormRegisterReturn<'enabled'>;
  formEncoding: UseFormRegisterReturn<'use_www_form_encoding'>;
}) {
  return (
    <>
      <TextField
        label="Webhook URL"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder={urlPlaceholder}
        error={urlError}
        {...url}
      />
      <div className="space-y-3">
        <CheckboxField label="Enabled" hint={enabledHint} {...enabled} />
        <CheckboxField
          label="Use WWW form encoding"
          hint='Send application/x-www-form-urlencoded, nested keys joined with "_", instead of JSON.'
          {...formEncoding}
        />
      </div>
    </>
  );
}
