// A request or response body as stored (already masked): pretty JSON, decoded form fields, or plain text.
import { bodyFormat } from '@/lib/deliveries/mask';
import { CopyButton } from '@/components/ui/copy-button';
import { scrollRegion } from '@/components/ui/scroll-region';

function pretty(body: string): string | null {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return null;
  }
}

function formFields(body: string): [string, string][] {
  return [...new URLSearchParams(body).entries()];
}

const pre = 'max-h-96 overflow-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100 whitespace-pre-wrap break-all';

export function BodyView({
  body,
  contentType,
  testId,
  label = 'Body',
}: {
  body: string | null;
  contentType: string | null;
  testId?: string;
  /** Names the scrolling panel for screen readers and keyboard users, like "Request body". */
  label?: string;
}) {
  if (body === null || body === '') return <p className="text-sm text-slate-500 italic">Empty body.</p>;
  const format = bodyFormat(body, contentType);
  const json = format === 'json' ? pretty(body) : null;
  return (
    <div className="space-y-2" data-testid={testId}>
      <div className="flex items-center justify-between gap-2">
        <span className="text-xs text-slate-500">
          {format === 'form' ? 'Form fields (decoded)' : json ? 'JSON' : format === 'json' ? 'Text (not complete JSON: shown as stored)' : 'Text'}
          {' · '}
          {body.length.toLocaleString()} characters
        </span>
        <CopyButton value={json ?? body} />
      </div>
      {format === 'form' ? (
        <div {...scrollRegion(label)} className="max-h-96 overflow-auto rounded-md ring-1 ring-slate-200">
          <table className="min-w-full divide-y divide-slate-100 text-xs">
            <tbody>
              {formFields(body).map(([k, v], i) => (
                <tr key={`${k}-${i}`} className="even:bg-slate-50">
                  <th scope="row" className="w-1/3 px-3 py-1.5 text-left align-top font-mono font-medium break-all text-slate-700">{k}</th>
                  <td className="px-3 py-1.5 font-mono break-all text-slate-900">{v === '' ? <span className="text-slate-500">(empty)</span> : v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <pre {...scrollRegion(label)} className={pre}>{json ?? body}</pre>
      )}
    </div>
  );
}
