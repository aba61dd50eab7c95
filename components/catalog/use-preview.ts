'use client';
// Fetches the sample body for the picked event or filter, keeping the last one while the next loads.
import { useEffect, useState } from 'react';

export function usePreview(type: string, load: (type: string) => Promise<Record<string, unknown> | null>) {
  const [state, setState] = useState<{ type: string; payload: Record<string, unknown> | null }>({ type: '', payload: null });
  useEffect(() => {
    if (!type) return;
    let live = true;
    load(type)
      .then((payload) => live && setState({ type, payload }))
      .catch(() => live && setState({ type, payload: null }));
    return () => {
      live = false;
    };
  }, [type, load]);
  return { payload: type ? state.payload : null, loading: !!type && state.type !== type };
}
