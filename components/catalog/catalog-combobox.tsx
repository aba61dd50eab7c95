'use client';
// A searchable picker over the catalog (APG editable combobox + grouped listbox): type to filter, arrows to
// move, Enter to pick, Escape to close. Each option shows its label, its type string and a one-line description.
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { cn } from '@/components/ui/cn';
import { inputClass } from '@/components/ui/field';

export interface CatalogItem {
  /** The canonical type, what the form stores. */
  value: string;
  label: string;
  /** Other names people search by (signal, class name). */
  aliases: string[];
  description: string;
}

export interface CatalogGroup {
  label: string;
  items: CatalogItem[];
}

function matches(item: CatalogItem, words: string[]): boolean {
  const hay = [item.label, item.value, ...item.aliases, item.description].join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function CatalogCombobox({
  id,
  groups,
  value,
  onChange,
  onBlur,
  invalid,
  describedBy,
  placeholder,
}: {
  id: string;
  groups: CatalogGroup[];
  value: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
  invalid?: boolean;
  describedBy?: string;
  placeholder?: string;
}) {
  const listId = useId();
  const optionId = (v: string) => `${listId}-${v.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const selected = useMemo(() => groups.flatMap((g) => g.items).find((i) => i.value === value), [groups, value]);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState<string | null>(null); // null: show the selection, not a search
  const [active, setActive] = useState<string | null>(null);

  const visible = useMemo(() => {
    const words = (query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    return groups
      .map((g) => ({ ...g, items: words.length ? g.items.filter((i) => matches(i, words)) : g.items }))
      .filter((g) => g.items.length > 0);
  }, [groups, query]);
  const flat = useMemo(() => visible.flatMap((g) => g.items), [visible]);

  const show = (next: string | null) => {
    setActive(next);
    if (next) {
      // Scroll within the list only: the page itself must not jump.
      requestAnimationFrame(() => document.getElementById(optionId(next))?.scrollIntoView({ block: 'nearest' }));
    }
  };

  const openList = () => {
    setOpen(true);
    show(active && flat.some((i) => i.value === active) ? active : (selected?.value ?? flat[0]?.value ?? null));
  };

  const pick = (item: CatalogItem) => {
    onChange(item.value);
    setQuery(null);
    setOpen(false);
  };

  const close = () => {
    setOpen(false);
    setQuery(null);
  };

  const move = (delta: number) => {
    if (!open) return openList();
    if (!flat.length) return;
    const i = flat.findIndex((x) => x.value === active);
    const next = i < 0 ? (delta > 0 ? 0 : flat.length - 1) : (i + delta + flat.length) % flat.length;
    show(flat[next]!.value);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        return e.altKey ? openList() : move(1);
      case 'ArrowUp':
        e.preventDefault();
        return move(-1);
      case 'PageDown':
      case 'PageUp':
        if (!open) return;
        e.preventDefault();
        return move(e.key === 'PageDown' ? 8 : -8);
      case 'Enter': {
        if (!open) return;
        e.preventDefault();
        const item = flat.find((x) => x.value === active) ?? flat[0];
        if (item) pick(item);
        return;
      }
      case 'Escape':
        if (open || query !== null) {
          e.preventDefault();
          close();
        }
        return;
      case 'Tab':
        close();
    }
  };

  const activeInList = open && active && flat.some((i) => i.value === active) ? active : null;

  return (
    <div className="relative">
      <input
        id={id}
        type="text"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={activeInList ? optionId(activeInList) : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder}
        className={cn(inputClass, 'pr-9')}
        value={query ?? selected?.label ?? ''}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
          setActive(null);
        }}
        onFocus={(e) => e.target.select()}
        onClick={() => (open ? undefined : openList())}
        onKeyDown={onKeyDown}
        onBlur={() => {
          close();
          onBlur?.();
        }}
      />
      <button
        type="button"
        tabIndex={-1}
        aria-hidden
        className="absolute inset-y-0 right-0 flex w-9 items-center justify-center text-slate-400 hover:text-slate-600"
        onMouseDown={(e) => {
          e.preventDefault();
          document.getElementById(id)?.focus();
          if (open) close();
          else openList();
        }}
      >
        <svg viewBox="0 0 20 20" fill="currentColor" className="size-4">
          <path d="M5.23 7.21a.75.75 0 0 1 1.06.02L10 11.06l3.71-3.83a.75.75 0 1 1 1.08 1.04l-4.25 4.39a.75.75 0 0 1-1.08 0L5.21 8.27a.75.75 0 0 1 .02-1.06Z" />
        </svg>
      </button>
      <div
        id={listId}
        role="listbox"
        aria-label="Matching options"
        hidden={!open}
        className="absolute inset-x-0 top-full z-30 mt-1 max-h-80 overflow-y-auto overscroll-contain rounded-md bg-white py-1 shadow-lg ring-1 ring-slate-200"
      >
        {open && flat.length === 0 && <p className="px-3 py-2 text-sm text-slate-500">Nothing matches “{query}”.</p>}
        {open &&
          visible.map((g) => (
            <div key={g.label} role="group" aria-labelledby={optionId(`group-${g.label}`)}>
              <div
                id={optionId(`group-${g.label}`)}
                role="presentation"
                className="sticky top-0 bg-slate-50 px-3 py-1 text-xs font-semibold tracking-wide text-slate-500 uppercase"
              >
                {g.label}
              </div>
              {g.items.map((item) => (
                <div
                  key={item.value}
                  id={optionId(item.value)}
                  role="option"
                  aria-selected={item.value === activeInList}
                  data-chosen={item.value === value || undefined}
                  className="cursor-pointer border-l-2 border-transparent px-3 py-2 aria-selected:bg-indigo-50 data-[chosen]:border-indigo-500"
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseMove={() => item.value !== active && setActive(item.value)}
                  onClick={() => pick(item)}
                >
                  <div className="flex flex-wrap items-baseline gap-x-2">
                    <span className="text-sm font-medium text-slate-900">{item.label}</span>
                    <span className="font-mono text-[11px] break-all text-slate-600">{item.value}</span>
                  </div>
                  <p className="truncate text-xs text-slate-600">{item.description}</p>
                </div>
              ))}
            </div>
          ))}
      </div>
    </div>
  );
}
