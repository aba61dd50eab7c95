// The accessibility check the specs share: axe-core's WCAG 2.0/2.1 A and AA rules over the whole page as it is now.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Every WCAG A/AA violation on the page, one readable line each (rule, impact, the first few elements). */
export async function axeViolations(page: Page): Promise<string[]> {
  // A page being re-rendered (a server action's refresh streams its metadata again) has no <title> for a
  // moment: the check is about the page a person sees, so it waits until the page has its title back.
  await expect(page, 'the page has a title').toHaveTitle(/\S/);
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`,
  );
}

/**
 * Checks the page in its current state, softly: every state of a test is checked and the test fails at the end
 * with all of them listed, rather than stopping at the first page with a violation.
 */
export async function expectAccessible(page: Page, state: string) {
  expect.soft(await axeViolations(page), `axe: ${state}`).toEqual([]);
}
