'use client';
// Live preview of the body a URL receives: JSON, or form-encoded when "Use WWW form encoding" is on.
import { encodeBody } from '@/lib/dispatch/encode';
import { cn } from '@/components/ui/cn';
import { CopyButton } from '@/components/ui/copy-button';
import { scrollRegion } from '@/components/ui/scroll-region';

export function BodyPreview({
  payload,
  form,
  loading,
  empty,
}: {
  payload: Record<string, unknown> | null;
  form: boolean;
  loading: boolean;
  empty: string;
}) {
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
