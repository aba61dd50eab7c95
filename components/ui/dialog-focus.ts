// Keyboard handling shared by the native <dialog>s: Tab cycles inside the open dialog, and closing it (Cancel,
// Escape or done) puts focus back on what opened it, or on the page heading if that is gone.
import type { KeyboardEvent } from 'react';

const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** showModal(), remembering the opener (pass it when focus may have moved since the click, e.g. after a fetch). */
export function showModalFrom(dialog: HTMLDialogElement | null, opener: Element | null = document.activeElement) {
  if (!dialog || dialog.open) return;
  const toHeading = () => {
    const heading = document.querySelector<HTMLElement>('main h1, h1');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  };
  dialog.addEventListener(
    'close',
    () => {
      if (!(opener instanceof HTMLElement) || !opener.isConnected) return toHeading();
      opener.focus();
      // The action may take the opener away a moment later (a revoked key's row loses its button): then the
      // focus would fall to the page's start, so it goes to the heading instead.
      const watch = new MutationObserver(() => {
        if (opener.isConnected) return;
        watch.disconnect();
        if (document.activeElement === document.body || document.activeElement === null) toHeading();
      });
      watch.observe(document.body, { childList: true, subtree: true });
      setTimeout(() => watch.disconnect(), 5000);
    },
    { once: true },
  );
  dialog.showModal();
}

/** onKeyDown for a dialog: Tab past the last control goes to the first, Shift+Tab before the first to the last. */
export function trapTab(e: KeyboardEvent<HTMLElement>) {
  if (e.key !== 'Tab') return;
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return;
  if (e.shiftKey && (document.activeElement === first || !e.currentTarget.contains(document.activeElement))) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}
