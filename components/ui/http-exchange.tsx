// One HTTP call as a test shows it: status, latency, response headers and body, and (folded) the request.
import type { Exchange } from '@/lib/manage/send-test';
import { Badge, type Tone } from './badge';
import { scrollRegion } from './scroll-region';

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function Headers({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers);
  if (!entries.length) return <p className="text-xs text-slate-500">No headers.</p>;
  return (
    <dl className="grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-3 gap-y-0.5 font-mono text-xs">
      {entries.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500">{k}</dt>
          <dd className="break-all text-slate-800">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The exchange in a few words, for the live region that announces a test's answer. */
export function exchangeSummary(exchange: Exchange): string {
  return exchange.status === null ? `no answer (${exchange.error ?? 'the request failed'})` : `HTTP ${exchange.status} in ${exchange.durationMs} ms`;
}

export function HttpExchange({ exchange }: { exchange: Exchange }) {
  const { status } = exchange;
  const tone: Tone = status === null ? 'red' : status < 300 ? 'green' : status < 500 ? 'amber' : 'red';
  return (
    <div className="space-y-3" data-testid="test-result">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={tone}>{status === null ? 'No answer' : `HTTP ${status}`}</Badge>
        <span className="text-sm text-slate-700" data-testid="test-latency">
          {exchange.durationMs} ms
        </span>
        <span className="min-w-0 truncate font-mono text-xs text-slate-500" title={exchange.url}>
          {exchange.url}
        </span>
      </div>
      {exchange.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {exchange.error}
        </p>
      )}
      {status !== null && (
        <>
          <div>
            <h3 className="mb-1 text-xs font-semibold text-slate-700">Response headers</h3>
            <Headers headers={exchange.headers} />
          </div>
          <div>
            <h3 className="mb-1 text-xs font-semibold text-slate-700">
              Response body{exchange.bodyTruncated && <span className="font-normal text-slate-500"> (first 64 KiB)</span>}
            </h3>
            {exchange.body ? (
              <pre {...scrollRegion('Response body')} data-testid="test-response-body" className="max-h-64 overflow-auto rounded-md bg-slate-50 p-2 font-mono text-xs break-all whitespace-pre-wrap ring-1 ring-slate-200">
                {pretty(exchange.body)}
              </pre>
            ) : (
              <p className="text-xs text-slate-500">Empty.</p>
            )}
          </div>
        </>
      )}
      <details className="text-xs">
        <summary className="cursor-pointer font-semibold text-slate-700">Request sent</summary>
        <div className="mt-2 space-y-2">
          <Headers headers={exchange.requestHeaders} />
          <pre {...scrollRegion('Request body')} className="max-h-48 overflow-auto rounded-md bg-slate-50 p-2 font-mono break-all whitespace-pre-wrap ring-1 ring-slate-200">
            {exchange.requestBody}
          </pre>
        </div>
      </details>
    </div>
  );
}
