'use client';
// Live preview of the body a URL receives: JSON, or form-encoded when "Use WWW form encoding" is on; with a
// webhook's transformation, the request it makes (or its error, or that it cancels).
import { encodeBody, encodeTransformed } from '@/lib/dispatch/encode';
import { cn } from '@/components/ui/cn';
import { CopyButton } from '@/components/ui/copy-button';
import { scrollRegion } from '@/components/ui/scroll-region';

/** What the webhook's transformation made of the sample (SPEC §14). */
export type TransformedPreview =
  | { state: 'ok'; payload: unknown; url: string; headers: Record<string, string>; cancel: boolean }
  | { state: 'error'; error: string; line: number | null }
  | { state: 'running' };

export function BodyPreview({
  payload,
  form,
  loading,
  empty,
  transformed,
}: {
  payload: Record<string, unknown> | null;
  form: boolean;
  loading: boolean;
  empty: string;
  transformed?: TransformedPreview | null;
}) {
  if (payload && transformed && transformed.state !== 'running') return <TransformedBody t={transformed} form={form} />;
  const encoded = payload ? encodeBody(payload, form) : null;
  return (
    <section aria-labelledby="preview-heading" className="min-w-0">
      <div className="mb-2 flex min-h-8 items-center justify-between gap-2">
        <h2 id="preview-heading" className="text-sm font-semibold text-slate-900">
          Body preview
        </h2>
        {encoded && <CopyButton value={encoded.body} label="Copy body" />}
      </div>
      <div
        data-testid="body-preview"
        aria-busy={loading}
        className={cn(
          'flex h-80 flex-col rounded-md sm:h-96',
          encoded ? 'bg-slate-900 text-slate-100 ring-1 ring-slate-800' : 'border-2 border-dashed border-slate-200 bg-slate-50',
        )}
      >
        {encoded ? (
          <>
            <p className="border-b border-slate-700 px-3 py-2 font-mono text-xs text-sky-300">
              POST · content-type: <span data-testid="preview-content-type">{encoded.contentType}</span>
            </p>
            <pre {...scrollRegion(`Sample body (${encoded.contentType})`)} className="min-h-0 flex-1 overflow-auto px-3 py-2 font-mono text-xs leading-5 break-all whitespace-pre-wrap">
              {form
                ? encoded.body.split('&').map((part, i, all) => (
                    <span key={i} className="block">
                      {part}
                      {i < all.length - 1 && <span className="text-slate-400">&amp;</span>}
                    </span>
                  ))
                : JSON.stringify(payload, null, 2)}
            </pre>
            <p className="border-t border-slate-700 px-3 py-1.5 text-[11px] text-slate-400">
              {form
                ? 'Sent as one line; shown with a break after each "&". Nested keys are joined with "_".'
                : 'Sent as compact JSON; shown indented. Values are sample data.'}
            </p>
          </>
        ) : (
          <p className="flex h-full items-center justify-center px-6 text-center text-sm text-slate-500">
            {loading ? 'Building the preview…' : empty}
          </p>
        )}
      </div>
    </section>
  );
}

function TransformedBody({ t, form }: { t: Exclude<TransformedPreview, { state: 'running' }>; form: boolean }) {
  const encoded = t.state === 'ok' && !t.cancel ? encodeTransformed(t.payload, form) : null;
  const problem = t.state === 'error' ? `${t.error}${t.line && !t.error.includes(`line ${t.line}`) ? ` (line ${t.line})` : ''}` : typeof encoded === 'string' ? encoded : null;
  const ok = t.state === 'ok' && encoded && typeof encoded !== 'string' ? { t, encoded } : null;
  const extra = ok ? Object.entries(ok.t.headers).filter(([k]) => k !== 'content-type') : [];
  return (
    <section aria-labelledby="preview-heading" className="min-w-0">
      <div className="mb-2 flex min-h-8 items-center justify-between gap-2">
        <h2 id="preview-heading" className="text-sm font-semibold text-slate-900">
          Body preview <span className="font-normal text-slate-500">(transformed)</span>
        </h2>
        {ok && <CopyButton value={ok.encoded.body} label="Copy body" />}
      </div>
      <div data-testid="body-preview" data-transformed="true" className="flex h-80 flex-col rounded-md bg-slate-900 text-slate-100 ring-1 ring-slate-800 sm:h-96">
        {problem ? (
          <p role="alert" data-testid="preview-error" className="m-3 rounded-md bg-red-950 p-3 font-mono text-xs text-red-100 ring-1 ring-red-800">
            {problem}
          </p>
        ) : ok ? (
          <>
            <p className="border-b border-slate-700 px-3 py-2 font-mono text-xs break-all text-sky-300">
              POST <span data-testid="preview-url">{ok.t.url}</span> · content-type:{' '}
              <span data-testid="preview-content-type">{ok.t.headers['content-type'] ?? ok.encoded.contentType}</span>
              {extra.map(([k, v]) => (
                <span key={k} className="block text-sky-200">
                  {k}: {v}
                </span>
              ))}
            </p>
            <pre {...scrollRegion(`Transformed body (${ok.encoded.contentType})`)} className="min-h-0 flex-1 overflow-auto px-3 py-2 font-mono text-xs leading-5 break-all whitespace-pre-wrap">
              {form ? ok.encoded.body.split('&').join('\n&') : JSON.stringify(ok.t.payload, null, 2)}
            </pre>
            <p className="border-t border-slate-700 px-3 py-1.5 text-[11px] text-slate-400">
              What the transformation makes of the sample; signature headers are added when sent.
            </p>
          </>
        ) : (
          <p data-testid="preview-cancelled" className="flex h-full items-center justify-center px-6 text-center text-sm text-slate-300">
            The transformation cancels this event: nothing is sent, and the delivery is logged as skipped.
          </p>
        )}
      </div>
    </section>
  );
}
