'use client';
// A small code editor: a monospace textarea with a line-number gutter that scrolls with it and Tab indenting
// (Shift+Tab outdents) once the field is being edited. Tabbing into it and on passes through, and Escape then
// Tab moves on from it, so the keyboard never gets stuck in it.
import { forwardRef, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import { cn } from './cn';

const INDENT = '  ';

export interface CodeFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
  name?: string;
  /** The line to mark (an error's), 1-based. */
  errorLine?: number | null;
  describedBy?: string;
  invalid?: boolean;
  rows?: number;
  placeholder?: string;
  disabled?: boolean;
}

export const CodeField = forwardRef<HTMLTextAreaElement, CodeFieldProps>(function CodeField(
  { id, value, onChange, onBlur, name, errorLine, describedBy, invalid, rows = 16, placeholder, disabled },
  ref,
) {
  const gutter = useRef<HTMLDivElement>(null);
  // Tab leaves the field until it is being edited (a key or a click in it), and again after Escape.
  const [released, setReleased] = useState(true);
  // A click focuses after its mousedown: that focus is an edit, not a Tab passing through.
  const clicked = useRef(false);
  const lines = Math.max(1, value.split('\n').length);

  // Edited in place, caret and all, then announced as input: React's onChange follows, and keys typed right
  // after land where the caret now is.
  const edit = (el: HTMLTextAreaElement, text: string, start: number, end: number, mode: 'end' | 'select') => {
    el.setRangeText(text, start, end, mode);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') return setReleased(true);
    if (e.key !== 'Tab') {
      if (e.key !== 'Shift') setReleased(false);
      return;
    }
    if (released || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const el = e.currentTarget;
    const { selectionStart: s, selectionEnd: t } = el;
    const text = el.value;
    const lineStart = text.lastIndexOf('\n', s - 1) + 1;
    if (!e.shiftKey && s === t) return edit(el, INDENT, s, t, 'end');
    // A selection (or Shift+Tab): every line it touches is indented or outdented, and stays selected.
    const block = text.slice(lineStart, t);
    const changed = e.shiftKey ? block.replace(/^ {1,2}/gm, '') : block.replace(/^/gm, INDENT);
    if (changed !== block) edit(el, changed, lineStart, t, 'select');
  };

  return (
    <div
      className={cn(
        'flex max-h-[32rem] min-h-40 overflow-hidden rounded-md bg-slate-950 font-mono text-xs leading-5 ring-1 ring-inset focus-within:ring-2 focus-within:ring-indigo-500',
        invalid ? 'ring-red-500' : 'ring-slate-700',
      )}
    >
      <div ref={gutter} aria-hidden="true" className="shrink-0 overflow-hidden bg-slate-900 py-2 text-right text-slate-400 select-none">
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className={cn('px-2', errorLine === i + 1 && 'bg-red-900/70 font-semibold text-red-100')} data-error-line={errorLine === i + 1 || undefined}>
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        ref={ref}
        id={id}
        name={name}
        value={value}
        rows={rows}
        disabled={disabled}
        placeholder={placeholder}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
        wrap="off"
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
        onFocus={() => {
          setReleased(!clicked.current);
          clicked.current = false;
        }}
        onMouseDown={() => {
          clicked.current = true;
          setReleased(false);
        }}
        onBlur={onBlur}
        onScroll={(e) => gutter.current && (gutter.current.scrollTop = e.currentTarget.scrollTop)}
        className="min-w-0 flex-1 resize-y bg-transparent px-3 py-2 text-slate-100 caret-white outline-none placeholder:text-slate-500"
      />
    </div>
  );
});
