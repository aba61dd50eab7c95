'use client';
// The import page's steps: choose the dumpdata file, read the preview, confirm; then the outcome and a toast.
import { useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { previewImportAction } from '@/app/(admin)/import/preview-import';
import { runImportAction } from '@/app/(admin)/import/run-import';
import type { ImportReport } from '@/lib/import/run';
import { decodeFile, parseImportText, tooLargeSentence } from '@/lib/import/text';
import { Button, ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { inputClass } from '@/components/ui/field';
import { useToast } from '@/components/ui/toast';
import { ImportPreview } from './import-preview';

const UNREACHABLE = 'The server could not be reached or your session has ended: sign in again and retry.';

export function ImportFlow({ maxBytes }: { maxBytes: number }) {
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const router = useRouter();

  async function choose(file: File | undefined) {
    setReport(null);
    setError(null);
    setText(null);
    if (!file) return;
    if (file.size > maxBytes) return setError(tooLargeSentence(maxBytes));
    const content = decodeFile(new Uint8Array(await file.arrayBuffer()));
    // Checked here too, so a file that is not JSON is named before anything is sent.
    const parsed = parseImportText(content, maxBytes);
    if (!parsed.ok) return setError(parsed.error);
    setBusy(true);
    try {
      const r = await previewImportAction(content).catch(() => ({ ok: false as const, error: UNREACHABLE }));
      if (!r.ok) return setError(r.error);
      setText(content);
      setReport(r.report);
    } finally {
      setBusy(false);
    }
  }

  async function confirm() {
    if (text === null) return;
    setBusy(true);
    try {
      const r = await runImportAction(text).catch(() => ({ ok: false as const, error: UNREACHABLE }));
      if (!r.ok) {
        setError(r.error);
        toast('Nothing was imported.', 'error');
        return;
      }
      setReport(r.report);
      setText(null);
      toast(r.report.message);
      router.refresh();
    } finally {
      setBusy(false);
    }
  }

  function reset() {
    setReport(null);
    setText(null);
    setError(null);
    if (input.current) input.current.value = '';
  }

  const done = report && !report.dry_run;
  return (
    <div className="space-y-6">
      <Card className="p-4 sm:p-6">
        <label htmlFor="dumpdata-file" className="block text-sm font-medium text-slate-800">
          Dumpdata file
        </label>
        <input
          ref={input}
          id="dumpdata-file"
          type="file"
          accept=".json,application/json"
          disabled={busy}
          aria-invalid={error ? true : undefined}
          aria-describedby="dumpdata-hint"
          onChange={(e) => choose(e.target.files?.[0])}
          className={`${inputClass} mt-1.5 file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-2.5 file:py-1 file:text-sm file:font-medium`}
        />
        <p id="dumpdata-hint" className="mt-1.5 text-xs text-slate-500">
          The JSON list written by dumpdata, up to {maxBytes.toLocaleString('en')} bytes. Choosing it changes nothing: you see a preview first.
        </p>
        {error && (
          <p role="alert" data-testid="import-error" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700 ring-1 ring-red-200">
            {error}
          </p>
        )}
        {busy && !report && <p className="mt-3 text-sm text-slate-600">Reading the file…</p>}
      </Card>

      {report && (
        <Card className="overflow-hidden">
          <div className="flex flex-col gap-3 border-b border-slate-200 p-4 sm:flex-row sm:items-center sm:justify-between sm:p-6">
            <div>
              <h2 className="text-base font-semibold text-slate-900">{done ? 'Imported' : 'Preview'}</h2>
              <p className="mt-1 text-sm text-slate-600" data-testid="import-summary">
                {report.message}
              </p>
            </div>
            <div className="flex flex-wrap gap-2">
              {done ? (
                <>
                  <ButtonLink href="/webhooks" variant="secondary">Webhooks</ButtonLink>
                  <ButtonLink href="/webfilters" variant="secondary">Webfilters</ButtonLink>
                  <Button variant="ghost" onClick={reset}>Import another file</Button>
                </>
              ) : (
                <>
                  <Button variant="secondary" onClick={reset} disabled={busy}>Cancel</Button>
                  <Button onClick={confirm} disabled={busy || report.created === 0}>
                    {report.created === 0 ? 'Nothing to import' : `Import ${report.created}`}
                  </Button>
                </>
              )}
            </div>
          </div>
          <ImportPreview items={report.items} dryRun={report.dry_run} />
        </Card>
      )}
    </div>
  );
}
