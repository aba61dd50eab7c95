// What a webfilter for the chosen filter receives and may answer: its arguments, exceptions and reply format.
import type { FilterDef } from '@/lib/catalog';
import { scrollRegion } from '@/components/ui/scroll-region';

function exampleReply(filter: FilterDef): string {
  const data = Object.fromEntries(filter.returns.map((k) => [k, '…']));
  const first = filter.exceptions[0];
  const reply: Record<string, unknown> = { data };
  if (first) {
    reply.exception = {
      [first.name]: first.acceptsRedirect
        ? { message: 'Why the process stops.', redirect_to: 'https://lms.example.com/somewhere' }
        : 'Why the process stops.',
    };
  }
  return JSON.stringify(reply, null, 2).replace(/"…"/g, '{ … }');
}

export function FilterGuide({ filter }: { filter: FilterDef }) {
  return (
    <section aria-labelledby="guide-heading" className="space-y-3 text-sm" data-testid="filter-guide">
      <h2 id="guide-heading" className="text-sm font-semibold text-slate-900">
        What your URL answers
      </h2>
      <p className="text-xs text-slate-600">
        <b>{filter.name}</b> sends {filter.arguments.map((a) => <code key={a} className="mx-0.5 font-mono">{a}</code>)} and may
        change {filter.returns.map((a) => <code key={a} className="mx-0.5 font-mono">{a}</code>)}. Answer with JSON; objects in{' '}
        <code className="font-mono">data</code> are merged key by key into the filter’s data, and{' '}
        <code className="font-mono">{'{}'}</code> changes nothing.
      </p>
      <pre {...scrollRegion('Reply format')} className="overflow-x-auto rounded-md bg-slate-50 p-3 font-mono text-xs ring-1 ring-slate-200" data-testid="reply-format">
        {exampleReply(filter)}
      </pre>
      {filter.exceptions.length ? (
        <div>
          <h3 className="text-xs font-semibold text-slate-700">Exceptions it can halt with</h3>
          <ul className="mt-1 space-y-1">
            {filter.exceptions.map((x) => (
              <li key={x.name} className="text-xs text-slate-600">
                <code className="font-mono font-medium text-slate-900">{x.name}</code>
                {x.args.length > 0 && <span> ({x.args.join(', ')})</span>}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="rounded-md bg-slate-50 px-3 py-2 text-xs text-slate-600 ring-1 ring-slate-200">
          {filter.name} has no exception: a webfilter can change its data but never stop the process.
        </p>
      )}
    </section>
  );
}
