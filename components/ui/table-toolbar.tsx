'use client';
// Search box and one select filter above a list table.
import { cn } from './cn';
import { inputClass } from './field';

export function TableToolbar({
  search,
  onSearch,
  searchLabel,
  placeholder,
  filterLabel,
  filterAll,
  filter,
  onFilter,
  options,
  count,
}: {
  search: string;
  onSearch: (v: string) => void;
  searchLabel: string;
  placeholder: string;
  filterLabel: string;
  filterAll: string;
  filter: string;
  onFilter: (v: string) => void;
  options: { value: string; label: string }[];
  count: string;
}) {
  return (
    <div className="flex flex-col gap-2 border-b border-slate-200 p-3 sm:flex-row sm:items-center">
      <input
        type="search"
        aria-label={searchLabel}
        placeholder={placeholder}
        value={search}
        onChange={(e) => onSearch(e.target.value)}
        className={cn(inputClass, 'sm:max-w-xs')}
      />
      <select aria-label={filterLabel} value={filter} onChange={(e) => onFilter(e.target.value)} className={cn(inputClass, 'sm:max-w-xs')}>
        <option value="">{filterAll}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <span className="text-xs text-slate-500 sm:ml-auto" aria-live="polite">
        {count}
      </span>
    </div>
  );
}
