'use client';
// The frame of a webhook or webfilter editor: the form with its save bar, the body preview and "Send test" beside it.
import type { ReactNode } from 'react';
import { BodyPreview, type TransformedPreview } from '@/components/catalog/body-preview';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PrivateTargetWarning } from '@/components/ui/private-target-warning';
import { useCan, useRole } from '@/components/auth/role';

/** The end of the form: the private-address warning, a general error, Save and the form's state. */
export function SaveBar({ warning, error, submitting, dirty }: { warning: string | null; error: string | null; submitting: boolean; dirty: boolean }) {
  return (
    <>
      {warning && <PrivateTargetWarning message={warning} />}
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700">
          {error}
        </p>
      )}
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={submitting} aria-busy={submitting}>
          Save
        </Button>
        <span className="text-xs text-slate-500" aria-live="polite">
          {submitting ? 'Saving…' : dirty ? 'Unsaved changes' : ''}
        </span>
      </div>
    </>
  );
}

export function TargetFormLayout({
  form,
  guide,
  preview,
  test,
  children,
}: {
  form: ReactNode;
  /** A card above the preview (the webfilter's reply guide). */
  guide?: ReactNode;
  preview: { payload: Record<string, unknown> | null; loading: boolean; form: boolean; empty: string; transformed?: TransformedPreview | null };
  test: ReactNode;
  /** Shown under the form (the secret and delete panels when editing). */
  children?: ReactNode;
}) {
  // A viewer reads the editor: every field disabled, no test, no secret or delete panels.
  const canEdit = useCan('editor');
  const role = useRole();
  return (
    // On a phone: form, preview and test, then the extra panels; side by side from lg on.
    <div className="grid gap-6 lg:grid-cols-2 lg:grid-rows-[auto_1fr] lg:items-start">
      <div className="min-w-0 lg:col-start-1 lg:row-start-1">
        <Card className="p-5">
          {!canEdit && (
            <p className="mb-4 rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700" data-testid="read-only-note">
              {`Read-only: your role (${role}) cannot change this.`}
            </p>
          )}
          <fieldset disabled={!canEdit} className="min-w-0">
            {form}
          </fieldset>
        </Card>
      </div>
      <div className="min-w-0 space-y-6 lg:col-start-2 lg:row-span-2 lg:row-start-1">
        {guide && <Card className="p-5">{guide}</Card>}
        <Card className="p-5">
          <BodyPreview {...preview} />
        </Card>
        {canEdit && <Card className="p-5">{test}</Card>}
      </div>
      {children && canEdit && <div className="min-w-0 space-y-6 lg:col-start-1 lg:row-start-2">{children}</div>}
    </div>
  );
}
