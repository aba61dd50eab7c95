// The footer every page has: the version and where its source is offered (AGPL-3.0 §13).
import { env } from '@/lib/env';
import { VERSION } from '@/lib/version';

export function Footer() {
  return (
    <footer className="px-4 py-6 text-center text-xs text-slate-500" data-testid="app-footer">
      Open edX Webhooks <span data-testid="app-version">{VERSION}</span> ·{' '}
      <a href={env().SOURCE_URL} className="underline hover:text-slate-700" rel="noopener noreferrer">
        Source
      </a>{' '}
      (AGPL-3.0)
    </footer>
  );
}
