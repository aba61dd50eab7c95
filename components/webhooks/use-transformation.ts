'use client';
// Runs the editor's transformation on the picked event's sample as it is typed (debounced), for the preview,
// the code field's error line and the templates.
import { useEffect, useState } from 'react';
import { runTransformationAction } from '@/app/(admin)/webhooks/run-transformation';
import type { TransformOutput } from '@/lib/transform/run';

export type TransformationState =
  | { state: 'none' }
  | { state: 'running' }
  | { state: 'ok'; output: TransformOutput }
  | { state: 'error'; error: string; line: number | null };

const DELAY_MS = 350;

function usableUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function useTransformation(source: string, eventType: string, url: string, form: boolean, enabled: boolean): TransformationState {
  const [state, setState] = useState<TransformationState>({ state: 'none' });
  const active = enabled && !!eventType && source.trim().length > 0;
  useEffect(() => {
    if (!active) return;
    let live = true;
    setState({ state: 'running' });
    const timer = setTimeout(() => {
      runTransformationAction({ source, event_type: eventType, url: usableUrl(url), use_www_form_encoding: form })
        .then((r) => {
          if (!live) return;
          if ('payload' in r && r.ok) setState({ state: 'ok', output: r as unknown as TransformOutput });
          else setState({ state: 'error', error: 'error' in r ? r.error : 'The transformation could not be run.', line: 'line' in r && typeof r.line === 'number' ? r.line : null });
        })
        .catch(() => live && setState({ state: 'error', error: 'The transformation could not be run: the server did not answer.', line: null }));
    }, DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [active, source, eventType, url, form]);
  return active ? state : { state: 'none' };
}
