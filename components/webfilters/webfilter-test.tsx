'use client';
// "Send test" for the webfilter editor: a sample filter call through the real engine, with just this webfilter.
import type { UseFormReturn } from 'react-hook-form';
import { testWebfilterAction } from '@/app/(admin)/webfilters/test-webfilter';
import type { WebfilterFormInput, WebfilterFormValues } from '@/lib/validation/webfilter';
import { SendTestPanel } from '@/components/targets/send-test-panel';
import { Badge, type Tone } from '@/components/ui/badge';
import { exchangeSummary, HttpExchange } from '@/components/ui/http-exchange';
import { scrollRegion } from '@/components/ui/scroll-region';

const TONES: Record<string, Tone> = { applied: 'green', ignored: 'gray', halted: 'red', not_applied: 'gray' };

function Json({ value, testId, label }: { value: unknown; testId?: string; label: string }) {
  return (
    <pre {...scrollRegion(label)} data-testid={testId} className="max-h-64 overflow-auto rounded-md bg-slate-50 p-2 font-mono text-xs break-all whitespace-pre-wrap ring-1 ring-slate-200">
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

export function WebfilterTest({ id, form }: { id: string | null; form: UseFormReturn<WebfilterFormInput, unknown, WebfilterFormValues> }) {
  return (
    <SendTestPanel
      description="Calls the URL with the sample above and applies the answer as the service would. Nothing is logged."
      idle="The answer will show here, with the data and exception it leads to."
      check={async () => ((await form.trigger()) ? null : 'Fix the highlighted fields first.')}
      send={() => testWebfilterAction(id, form.getValues())}
      announce={(result) => `Test answered: ${exchangeSummary(result.exchange)}; the filter ${result.outcome.result.replace('_', ' ')}.`}
    >
      {(result) => (
        <div className="space-y-4">
          <HttpExchange exchange={result.exchange} />
          <div className="space-y-3 border-t border-slate-200 pt-3" data-testid="filter-result">
            <div className="flex flex-wrap items-center gap-2">
              <h3 className="text-xs font-semibold text-slate-700">Outcome</h3>
              <Badge tone={TONES[result.outcome.result] ?? 'gray'}>{result.outcome.result}</Badge>
            </div>
            <p className="text-xs text-slate-600">{result.outcome.reason}</p>
            <div>
              <h3 className="mb-1 text-xs font-semibold text-slate-700">Exception the LMS would raise</h3>
              {result.exception ? <Json value={result.exception} testId="filter-exception" label="Exception the LMS would raise" /> : <p className="text-xs text-slate-500">None: the process goes on.</p>}
            </div>
            <div>
              <h3 className="mb-1 text-xs font-semibold text-slate-700">Changes merged into the data</h3>
              {Object.keys(result.changes).length ? <Json value={result.changes} testId="filter-changes" label="Changes merged into the data" /> : <p className="text-xs text-slate-500">None.</p>}
            </div>
            <details className="text-xs">
              <summary className="cursor-pointer font-semibold text-slate-700">Resulting data</summary>
              <div className="mt-2">
                <Json value={result.data} testId="filter-data" label="Resulting data" />
              </div>
            </details>
          </div>
        </div>
      )}
    </SendTestPanel>
  );
}
