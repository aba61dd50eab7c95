// Stable date formatting: the same text on the server and in the browser (no hydration mismatch).
export function formatUtc(iso: string | Date | null | undefined, fallback = 'never'): string {
  if (!iso) return fallback;
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
