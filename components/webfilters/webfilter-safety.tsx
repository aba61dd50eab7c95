'use client';
// A webfilter's mode and circuit breaker in the list (SPEC §12): a shadow one is switched to enforce in one click.
import { useState, useTransition } from 'react';
import { updateWebfilterAction } from '@/app/(admin)/webfilters/update-webfilter';
import { useRole } from '@/components/auth/role';
import { allows } from '@/lib/auth/roles';

export interface SafetyCell {
  id: string;
  name: string;
  mode: 'enforce' | 'shadow';
  breaker: { state: 'closed' | 'open' | 'half_open'; until: string | null; failures: number };
}

const BREAKER_TEXT = { open: 'Breaker open', half_open: 'Breaker half-open' } as const;

export function WebfilterSafety({ cell }: { cell: SafetyCell }) {
  const role = useRole();
  const [mode, setMode] = useState(cell.mode);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const enforce = () =>
    start(async () => {
      const r = await updateWebfilterAction(cell.id, { mode: 'enforce' });
      if (r.ok) setMode('enforce');
      else setError(r.error);
    });
  const { state, until } = cell.breaker;
  return (
    <div className="flex flex-col items-start gap-1 text-xs" data-testid="webfilter-safety">
      {mode === 'shadow' ? (
        <span className="flex items-center gap-2">
          <span className="rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-900" data-testid="mode-shadow">Shadow</span>
          {allows(role, 'editor') && (
            <button
              type="button"
              onClick={enforce}
              disabled={pending}
              className="rounded px-1.5 py-0.5 font-medium text-indigo-700 hover:bg-indigo-50 disabled:opacity-50"
              aria-label={`Enforce ${cell.name}`}
            >
              {pending ? 'Enforcing…' : 'Enforce'}
            </button>
          )}
        </span>
      ) : (
        <span className="text-slate-600" data-testid="mode-enforce">Enforced</span>
      )}
      {state !== 'closed' && (
        <span className="rounded bg-red-50 px-1.5 py-0.5 font-medium text-red-800" data-testid="breaker-state" title={until ? `Not called until ${until}` : undefined}>
          {BREAKER_TEXT[state]}
        </span>
      )}
      {error && (
        <span role="alert" className="text-red-700">
          {error}
        </span>
      )}
    </div>
  );
}
