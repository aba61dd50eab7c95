// A panel that scrolls (code, bodies) must be reachable by keyboard to be read (WCAG 2.1.1): focusable, named region.
export function scrollRegion(label: string) {
  return { tabIndex: 0, role: 'region', 'aria-label': label } as const;
}
