'use client';
// Re-renders the page from the server every few seconds while it is visible, so new deliveries show up.
import { useEffect } from 'react';
import { useRouter } from 'next/navigation';

export function AutoRefresh({ intervalMs }: { intervalMs: number }) {
  const router = useRouter();
  useEffect(() => {
    const visible = () => document.visibilityState === 'visible';
    const timer = setInterval(() => visible() && router.refresh(), intervalMs);
    // Catch up at once when the tab comes back rather than waiting for the next tick.
    const onVisible = () => visible() && router.refresh();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [router, intervalMs]);
  return null;
}
