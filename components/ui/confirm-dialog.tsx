'use client';
// A confirmation dialog (native <dialog>: Tab kept inside, Escape to close, focus back on the opener) for destructive actions.
import { useRef, useState, type ReactNode } from 'react';
import { Button, type ButtonVariant } from './button';
import { showModalFrom, trapTab } from './dialog-focus';

export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  onConfirm,
  variant = 'danger',
  size = 'md',
  triggerVariant,
}: {
  label: ReactNode;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  variant?: ButtonVariant;
  triggerVariant?: ButtonVariant;
  size?: 'sm' | 'md';
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button variant={triggerVariant ?? (variant === 'danger' ? 'secondary' : variant)} size={size} onClick={(e) => showModalFrom(ref.current, e.currentTarget)}>
        {label}
      </Button>
      <dialog
        ref={ref}
        aria-label={title}
        onKeyDown={trapTab}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <div className="p-6">
          <h2 className="text-lg font-semibold text-slate-900">{title}</h2>
          {children && <div className="mt-2 text-sm text-slate-600">{children}</div>}
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => ref.current?.close()}>
              Cancel
            </Button>
            <Button
              variant={variant}
              aria-disabled={busy || undefined}
              onClick={async () => {
                if (busy) return;
                setBusy(true);
                try {
                  await onConfirm();
                } finally {
                  setBusy(false);
                  ref.current?.close();
                }
              }}
            >
              {confirmLabel}
            </Button>
          </div>
        </div>
      </dialog>
    </>
  );
}
