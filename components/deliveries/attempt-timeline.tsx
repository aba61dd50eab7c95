// Every attempt of a delivery on a timeline, oldest first: status, duration, error, response headers and body.
import type { AttemptJson } from '@/lib/deliveries/present';
import { contentTypeOf } from '@/lib/deliveries/mask';
import { cn } from '@/components/ui/cn';
import { BodyView } from './body-view';
import { formatDuration } from './format';
import { HeadersList } from './headers-list';
import { LocalTime } from './local-time';

const ok = (a: AttemptJson) => a.response_status !== null && a.response_status >= 200 && a.response_status < 300;

export function AttemptTimeline({ attempts }: { attempts: AttemptJson[] }) {
  if (attempts.length === 0) {
    return <p className="text-sm text-slate-500">No attempt yet: the first one starts as soon as a worker is free.</p>;
  }
  return (
    <ol className="relative space-y-6 border-l-2 border-slate-200 pl-6" data-testid="attempts">
      {attempts.map((a) => (
        <li key={a.attempt_no} className="relative" data-testid="attempt">
          <span
            aria-hidden
            className={cn('absolute top-1 -left-[33px] size-4 rounded-full ring-4 ring-white', ok(a) ? 'bg-emerald-500' : 'bg-red-500')}
          />
          <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
            <h3 className="text-sm font-semibold text-slate-900">Attempt {a.attempt_no}</h3>
            <span className={cn('font-mono text-sm font-semibold', ok(a) ? 'text-emerald-700' : 'text-red-700')} data-testid="attempt-status">
              {a.response_status ?? 'no response'}
            </span>
            <span className="text-xs text-slate-500">
              <LocalTime iso={a.started_at} /> · {formatDuration(a.duration_ms)}
              {a.via_proxy && (
                <>
                  {' · '}
                  <span data-testid="attempt-proxy">through the proxy {a.via_proxy}</span>
                </>
              )}
            </span>
          </div>
          {a.error && (
            <p className="mt-1 rounded bg-red-50 px-2 py-1 font-mono text-xs break-all text-red-800" data-testid="attempt-error">
              {a.error}
            </p>
          )}
          {a.response_status !== null && (
            <div className="mt-3 space-y-3">
              <BodyView body={a.response_body} contentType={contentTypeOf(a.response_headers)} testId="attempt-response-body" label={`Response body, attempt ${a.attempt_no}`} />
              <details className="text-sm">
                <summary className="cursor-pointer text-xs font-medium text-slate-700">Response headers</summary>
                <div className="mt-2">
                  <HeadersList headers={a.response_headers} />
                </div>
              </details>
            </div>
          )}
          <details className="mt-2 text-sm">
            <summary className="cursor-pointer text-xs font-medium text-slate-700">Request headers as sent</summary>
            <div className="mt-2">
              <HeadersList headers={a.request_headers} />
            </div>
          </details>
        </li>
      ))}
    </ol>
  );
}
