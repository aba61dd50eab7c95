'use client';
// Says what the live refresh changed in the log (new deliveries, ones that finished), for screen-reader users
// who cannot see rows appear. Silent on the first render; remounted (silent again) when the filters change.
import { useEffect, useRef, useState } from 'react';

const deliveries = (n: number) => `${n} ${n === 1 ? 'delivery' : 'deliveries'}`;

export function LiveAnnouncer({ rows }: { rows: { id: number; status: string }[] }) {
  const seen = useRef<Map<number, string> | null>(null);
  const [message, setMessage] = useState('');
  const shown = rows.map((r) => `${r.id}:${r.status}`).join(',');
  useEffect(() => {
    const before = seen.current;
    seen.current = new Map(rows.map((r) => [r.id, r.status]));
    if (!before) return;
    const added = rows.filter((r) => !before.has(r.id)).length;
    const now = new Map<string, number>();
    for (const r of rows) if (before.has(r.id) && before.get(r.id) !== r.status) now.set(r.status, (now.get(r.status) ?? 0) + 1);
    const parts = [
      ...(added ? [`${added} new ${added === 1 ? 'delivery' : 'deliveries'}`] : []),
      ...[...now].map(([status, n]) => `${deliveries(n)} now ${status}`),
    ];
    if (parts.length) setMessage(`${parts.join('; ')}.`);
    // rows is new on every refresh; what it shows is in `shown`.
  }, [shown]);
  return (
    <p role="status" className="sr-only" data-testid="log-announcement">
      {message}
    </p>
  );
}
