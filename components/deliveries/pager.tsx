// Keyset paging links: newest, newer, older. The position lives in the URL (?cursor= / ?before=).
import { ButtonLink } from '@/components/ui/button';

function href(filters: Record<string, string>, extra: Record<string, string> = {}) {
  const qs = new URLSearchParams({ ...filters, ...extra }).toString();
  return qs ? `/deliveries?${qs}` : '/deliveries';
}

export function Pager({
  filters,
  nextCursor,
  prevCursor,
  onFirstPage,
  shown,
}: {
  filters: Record<string, string>;
  nextCursor: number | null;
  prevCursor: number | null;
  onFirstPage: boolean;
  shown: number;
}) {
  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 px-4 py-3">
      <p className="text-xs text-slate-500">
        {shown === 0 ? 'No deliveries on this page.' : `${shown} ${shown === 1 ? 'delivery' : 'deliveries'} on this page${onFirstPage ? ', newest first' : ''}.`}
      </p>
      <div className="flex gap-2">
        {!onFirstPage && (
          <ButtonLink variant="secondary" size="sm" href={href(filters)}>
            ⇤ Newest
          </ButtonLink>
        )}
        {prevCursor !== null && (
          <ButtonLink variant="secondary" size="sm" href={href(filters, { before: String(prevCursor) })} rel="prev">
            ← Newer
          </ButtonLink>
        )}
        {nextCursor !== null && (
          <ButtonLink variant="secondary" size="sm" href={href(filters, { cursor: String(nextCursor) })} rel="next">
            Older →
          </ButtonLink>
        )}
      </div>
    </nav>
  );
}
