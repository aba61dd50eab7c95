// HTTP headers as name: value lines (already masked).
export function HeadersList({ headers }: { headers: Record<string, string> | null }) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return <p className="text-xs text-slate-500 italic">No headers recorded.</p>;
  return (
    <dl className="grid grid-cols-1 gap-x-4 gap-y-1 rounded-md bg-slate-50 p-3 font-mono text-xs sm:grid-cols-[minmax(8rem,max-content)_1fr]">
      {entries.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="font-medium text-slate-600">{k}</dt>
          <dd className="mb-1 break-all text-slate-900 sm:mb-0">{v}</dd>
        </div>
      ))}
    </dl>
  );
}
