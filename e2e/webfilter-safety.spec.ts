// Webfilter safety in Chromium (SPEC §12): a shadow webfilter made in the editor answers PreventLogin but halts
// nothing; the delivery log shows the halt it would have made; one click in the list enforces it (audited);
// the Filter health page shows the calls and the latency chart; a filter's policy is saved on the webfilters page.
import { expect, test } from '@playwright/test';
import { E2E_API_KEY } from './config';
import { expectAccessible } from './axe';
import { loopbackReceiver, shot, signInEachTest } from './helpers';

signInEachTest();
const auth = { authorization: `Bearer ${E2E_API_KEY}` };
const rx = loopbackReceiver('/login-gate', () => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ exception: { PreventLogin: 'Sign-ins are paused during the exam.' } }),
}));

test('a shadow webfilter: tried without risk, its would-be verdict in the log, enforced in one click, health shown', async ({ page, request }) => {
  const existing = await request.get('/api/v1/webfilters?filter_type=StudentLoginRequested', { headers: auth });
  for (const w of (await existing.json()) as { id: string }[]) await request.delete(`/api/v1/webfilters/${w.id}`, { headers: auth });

  await page.goto('/webfilters/new');
  await page.getByLabel('Description').fill('Exam gate');
  await page.getByLabel('Event').fill('login');
  await page.getByRole('option', { name: /StudentLoginRequested|login.requested/ }).first().click();
  await page.getByLabel('Webhook URL').fill(rx.url);
  await page.getByLabel('Mode').selectOption('shadow');
  await expect(page.getByText('its answer never changes data or halts anything')).toBeVisible();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/webfilters\/[0-9a-f-]{36}$/);

  // The LMS's call: not halted, though the webfilter answered PreventLogin.
  const data = { user: { id: 7, username: 'ada', email: 'ada@example.org' } };
  const shadowCall = await request.post('/api/filters', { headers: auth, data: { filter_type: 'StudentLoginRequested', data } });
  expect(shadowCall.status()).toBe(200);
  expect((await shadowCall.json()).exception).toBeNull();

  // The log: the shadow call with the halt it would have made.
  await page.goto('/deliveries?kind=webfilter');
  const row = page.getByTestId('delivery-row').filter({ hasText: 'login' }).first();
  await expect(async () => {
    await page.reload();
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass();
  await row.getByTestId('delivery-link').click();
  const would = page.getByTestId('would-apply');
  await expect(would).toContainText('It would have halted the process: PreventLogin');
  await expect(would).toContainText('Sign-ins are paused during the exam.');
  await shot(page, 'webfilter-shadow-call');
  await expectAccessible(page, 'a shadow webfilter call in the log');

  // One click in the list enforces it; the LMS is then halted.
  await page.goto('/webfilters');
  const safety = page.getByTestId('webfilter-row').filter({ hasText: 'Exam gate' }).getByTestId('webfilter-safety');
  await expect(safety.getByTestId('mode-shadow')).toBeVisible();
  await safety.getByRole('button', { name: 'Enforce Exam gate' }).click();
  await expect(safety.getByTestId('mode-enforce')).toBeVisible();
  const enforced = await request.post('/api/filters', { headers: auth, data: { filter_type: 'StudentLoginRequested', data } });
  expect((await enforced.json()).exception).toMatchObject({ name: 'PreventLogin' });
  const audit = await request.get('/api/v1/audit?action=webfilter.updated', { headers: auth });
  const entry = ((await audit.json()) as { items: { changes: Record<string, { before: unknown; after: unknown }> }[] }).items[0]!;
  expect(entry.changes.mode).toEqual({ before: 'shadow', after: 'enforce' });

  // A policy for this filter, saved on the same page.
  const policy = page.getByTestId('filter-policy').filter({ hasText: 'Student login' }).first();
  await policy.getByLabel('Budget (ms)').fill('800');
  await policy.getByLabel('If the service cannot answer').selectOption('halt');
  await policy.getByRole('button', { name: 'Save' }).click();
  await expect(policy.getByRole('status')).toHaveText('Saved.');
  const policies = await request.get('/api/v1/filter-policies', { headers: auth });
  expect((await policies.json()).items).toContainEqual({ filter_type: 'org.openedx.learning.student.login.requested.v1', timeout_ms: 800, on_unreachable: 'halt' });
  await shot(page, 'webfilters-policies');
  await expectAccessible(page, 'webfilters with their policies');

  // Filter health: the whole calls and the webfilter's, with the chart.
  await page.getByRole('link', { name: 'Filter health' }).click();
  await expect(page.getByRole('heading', { name: 'Filter health', level: 1 })).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('health-type').first()).toContainText('2', { timeout: 1000 });
  }).toPass();
  await expect(page.getByTestId('latency-chart').first()).toBeVisible();
  await expect(page.getByTestId('health-webfilter').filter({ hasText: 'Exam gate' })).toBeVisible();
  await shot(page, 'filter-health');
  await expectAccessible(page, 'filter health');
  // Leave the shared server as it was: later specs start from their own webfilters.
  await request.delete(`/api/v1/filter-policies/StudentLoginRequested`, { headers: auth });
  const made = await request.get('/api/v1/webfilters?filter_type=StudentLoginRequested', { headers: auth });
  for (const w of (await made.json()) as { id: string }[]) expect((await request.delete(`/api/v1/webfilters/${w.id}`, { headers: auth })).status()).toBe(204);
});
