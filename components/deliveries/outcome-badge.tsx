// A webfilter call's outcome as a badge: applied, ignored, halted, not applied, or shadow (SPEC §12).
import { Badge, type Tone } from '@/components/ui/badge';

const tones: Record<string, Tone> = { applied: 'green', ignored: 'gray', halted: 'red', not_applied: 'gray', shadow: 'amber' };

export function OutcomeBadge({ outcome }: { outcome: Record<string, unknown> | null }) {
  const result = typeof outcome?.result === 'string' ? outcome.result : null;
  if (!result) return null;
  return <Badge tone={tones[result] ?? 'gray'}>{result.replace('_', ' ')}</Badge>;
}
