'use client';
// Saving a webhook or webfilter editor: per-field issues onto the form, a toast, then open the new target or refresh.
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import type { FieldValues, UseFormReturn } from 'react-hook-form';
import type { ActionFailure } from '@/lib/manage/result';
import { applyIssues } from '@/components/ui/form-issues';
import { useToast } from '@/components/ui/toast';
import { capital } from './target-columns';

type Saved = { ok: true; warning: string | null };

export function useSaveTarget<I extends FieldValues, V extends FieldValues, U extends Saved>({
  id,
  noun,
  fields,
  form,
  warning: savedWarning,
  create,
  update,
  reset,
}: {
  id: string | null;
  /** Singular, lower case: "webhook"; gives the toasts and the route. */
  noun: string;
  /** Form fields a server issue may be shown on. */
  fields: readonly string[];
  form: UseFormReturn<I, unknown, V>;
  warning: string | null;
  create: (values: V) => Promise<(Saved & { id: string }) | ActionFailure>;
  update: (id: string, values: V) => Promise<U | ActionFailure>;
  /** Puts the saved values back in the form, so it is no longer dirty. */
  reset: (values: V, saved: U) => void;
}) {
  const router = useRouter();
  const toast = useToast();
  const [warning, setWarning] = useState(savedWarning);
  const [formError, setFormError] = useState<string | null>(null);

  const onSubmit = form.handleSubmit(async (values) => {
    setFormError(null);
    const result = await (id ? update(id, values) : create(values)).catch(() => null);
    if (!result) {
      setFormError('Not saved: the server could not be reached or your session has ended. Sign in again and retry.');
      return;
    }
    if (!result.ok) {
      const rest = applyIssues(form.setError, fields, result.issues);
      if (rest.length || !result.issues?.length) setFormError(result.error);
      toast(rest.length < (result.issues?.length ?? 0) ? 'Not saved: fix the highlighted fields.' : 'Not saved.', 'error');
      return;
    }
    setWarning(result.warning);
    if ('id' in result) {
      toast(`${capital(noun)} created.`);
      router.push(`/${noun}s/${result.id}`);
    } else {
      toast(`${capital(noun)} saved.`);
      reset(values, result);
      router.refresh();
    }
  });

  return { onSubmit, warning, formError };
}
