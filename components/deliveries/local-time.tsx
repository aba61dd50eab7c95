'use client';
// Times in the reader's own time zone; the server renders UTC until the browser takes over.
import { useSyncExternalStore } from 'react';
import { relativeTime } from './format';

const noop = () => () => {};

/** False during server rendering and hydration, true afterwards. */
export function useHydrated(): boolean {
  return useSyncExternalStore(noop, () => true, () => false);
}

const utc = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

export function LocalTime({ iso, relative = false }: { iso: string; relative?: boolean }) {
  const hydrated = useHydrated();
  const d = new Date(iso);
  const absolute = hydrated
    ? d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
    : utc(d);
  return (
    <time dateTime={iso} title={hydrated ? `${absolute} (${iso})` : iso} className="whitespace-nowrap">
      {relative && hydrated ? relativeTime(iso, Date.now()) : absolute}
    </time>
  );
}
