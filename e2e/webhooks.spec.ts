// Webhook editor and list in Chromium: validation, event picker, live preview, Send test against a loopback
// receiver (signature checked), secret reveal/rotate, save, enable toggle, search, delete; phone layout.
import { expect, test } from '@playwright/test';
import { Webhook } from 'standardwebhooks';
import { E2E_API_KEY } from './config';
import { loopbackReceiver, shot, signInEachTest } from './helpers';

signInEachTest();
const rx = loopbackReceiver('/hook', (hits) => ({
  status: 200,
  headers: { 'content-type': 'application/json', 'x-receiver': 'e2e' },
  body: JSON.stringify({ received: true, n: hits.length }),
}));
const { hits } = rx;

test('create, test, edit, disable and delete a webhook', async ({ page, request }) => {
  await page.goto('/webhooks');
  const empty = page.getByRole('heading', { name: 'No webhooks yet' });
  if (await empty.isVisible()) await shot(page, 'webhooks-empty');
  await page.getByRole('link', { name: 'New webhook' }).click();
  await expect(page).toHaveURL(/\/webhooks\/new$/);
  await expect(page.getByTestId('body-preview')).toContainText('Pick an event');
  await shot(page, 'webhook-new');

  // Validation: nothing chosen, then a URL that is not http(s).
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Choose an event.')).toBeVisible();
  await expect(page.getByText('Enter the URL to call.')).toBeVisible();
  await page.getByLabel('Webhook URL').fill('ftp://files.example.com/drop');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Enter a full http:// or https:// URL')).toBeVisible();
  await expect(page).toHaveURL(/\/webhooks\/new$/);

  // The picker: type to search, keyboard to choose.
  const picker = page.getByLabel('Event');
  await picker.fill('enrollment created');
  await expect(page.getByRole('listbox')).toBeVisible();
  await expect(page.getByRole('option', { name: /Course enrollment created/ })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Learning' })).toBeVisible();
  await shot(page, 'webhook-event-picker');
  await picker.press('ArrowDown');
  await picker.press('Enter');
  await expect(page.getByRole('listbox')).toBeHidden();
  await expect(picker).toHaveValue('Course enrollment created');
  await expect(page.getByText('org.openedx.learning.course.enrollment.created.v1').first()).toBeVisible();
  await expect(page.getByText('Choose an event.')).toBeHidden();

  // The preview follows "Use WWW form encoding".
  const preview = page.getByTestId('body-preview');
  await expect(page.getByTestId('preview-content-type')).toHaveText('application/json');
  await expect(preview).toContainText('"event_metadata"');
  await expect(preview).toContainText('"event_type": "org.openedx.learning.course.enrollment.created.v1"');
  await page.getByLabel('Use WWW form encoding').check();
  await expect(page.getByTestId('preview-content-type')).toHaveText('application/x-www-form-urlencoded');
  await expect(preview).toContainText('enrollment_user_pii_email=');
  await expect(preview).toContainText('event_metadata_signal=COURSE_ENROLLMENT_CREATED');
  await page.getByLabel('Use WWW form encoding').uncheck();
  await expect(page.getByTestId('preview-content-type')).toHaveText('application/json');

  await page.getByLabel('Description').fill('CRM enrollment sync');
  await page.getByLabel('Webhook URL').fill(rx.url);
  await expect(page.getByLabel('Enabled')).toBeChecked();

  // Send test before saving: a one-off secret, the receiver's answer shown.
  await page.getByRole('button', { name: 'Send test' }).click();
  const result = page.getByTestId('test-result');
  await expect(result).toContainText('HTTP 200');
  await expect(result).toContainText('x-receiver');
  await expect(page.getByTestId('test-response-body')).toContainText('"received": true');
  await expect(page.getByText('Signed with a one-off secret')).toBeVisible();
  expect(hits.length).toBe(1);
  expect(JSON.parse(hits[0]!.body).event_metadata.signal).toBe('COURSE_ENROLLMENT_CREATED');
  await shot(page, 'webhook-new-tested');

  // Save: the editor opens, warns about the loopback URL, and the secret can be shown.
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Webhook created.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'CRM enrollment sync' })).toBeVisible();
  await expect(page.getByTestId('private-target-warning')).toContainText('ALLOW_PRIVATE_TARGETS');
  await expect(page.getByLabel('Event')).toHaveValue('Course enrollment created');
  await expect(page.getByLabel('Webhook URL')).toHaveValue(rx.url);

  await page.getByRole('button', { name: 'Show secret' }).click();
  const secret = (await page.getByTestId('webhook-secret').textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);

  // Send test from the saved webhook: signed with its own secret, verifiable by the official library.
  await page.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByText("Signed with this webhook's secret")).toBeVisible();
  expect(hits.length).toBe(2);
  const signed = hits[1]!;
  expect(signed.headers['content-type']).toBe('application/json');
  const verified = new Webhook(secret).verify(signed.body, signed.headers as Record<string, string>) as Record<string, any>;
  expect(verified.event_metadata.id).toBe(signed.headers['webhook-id']);

  // And form-encoded, as the checkbox says.
  await page.getByLabel('Use WWW form encoding').check();
  await page.getByRole('button', { name: 'Send test' }).click();
  await expect.poll(() => hits.length).toBe(3);
  const form = hits[2]!;
  expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
  expect(new URLSearchParams(form.body).get('event_metadata_event_type')).toBe('org.openedx.learning.course.enrollment.created.v1');
  expect(form.headers['webhook-signature']).toMatch(/^v1,/);
  await shot(page, 'webhook-edit');

  // Rotate the secret, with a confirmation.
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
  await expect(page.getByText('Secret rotated')).toBeVisible();
  await expect(page.getByTestId('webhook-secret')).not.toHaveText(secret);

  // Edit and save.
  await page.getByLabel('Description').fill('CRM enrollment sync (v2)');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Webhook saved.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'CRM enrollment sync (v2)' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Description')).toHaveValue('CRM enrollment sync (v2)');
  await expect(page.getByLabel('Use WWW form encoding')).toBeChecked();

  // A real event from the LMS reaches the receiver; the list shows the delivery's health.
  const event = await request.post('/api/events', {
    headers: { authorization: `Bearer ${E2E_API_KEY}` },
    data: { event_type: 'COURSE_ENROLLMENT_CREATED', data: { enrollment: { mode: 'audit' } } },
  });
  expect(event.status()).toBe(202);
  await expect.poll(() => hits.length).toBe(4);

  // The list: the row, its health, its enable toggle (saved at once), search and event filter.
  await page.getByRole('link', { name: 'Webhooks' }).first().click();
  await expect(page).toHaveURL(/\/webhooks$/);
  const row = page.getByTestId('webhook-row').filter({ hasText: 'CRM enrollment sync (v2)' });
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText('succeeded', { timeout: 1000 });
  }).toPass();
  await expect(row).toContainText('100%');
  await expect(row).toContainText('Course enrollment created');
  await expect(row).toContainText('org.openedx.learning.course.enrollment.created.v1');
  const toggle = row.getByRole('switch', { name: 'Enabled' });
  await expect(toggle).toHaveAttribute('aria-checked', 'true');
  await toggle.click();
  await expect(page.getByText('Webhook disabled.')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('webhook-row').filter({ hasText: 'CRM enrollment sync (v2)' }).getByRole('switch')).toHaveAttribute(
    'aria-checked',
    'false',
  );
  await shot(page, 'webhooks');

  await page.getByLabel('Search webhooks').fill('no such webhook');
  await expect(page.getByText('No webhook matches these filters.')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(row).toBeVisible();
  await page.getByLabel('Filter by event').selectOption({ label: 'Course enrollment created' });
  await expect(row).toBeVisible();

  // Delete, with a confirmation.
  await row.getByRole('link', { name: 'CRM enrollment sync (v2)' }).click();
  await page.getByRole('button', { name: 'Delete webhook' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await expect(page.getByText('Webhook deleted.')).toBeVisible();
  await expect(page.getByTestId('webhook-row').filter({ hasText: 'CRM enrollment sync (v2)' })).toHaveCount(0);
});

test('the webhook pages fit a phone', async ({ page, request }) => {
  const res = await request.post('/api/v1/webhooks', {
    headers: { authorization: `Bearer ${E2E_API_KEY}` },
    data: { description: 'Grades to the data warehouse', event_type: 'PERSISTENT_GRADE_SUMMARY_CHANGED', url: 'https://warehouse.example.com/grades' },
  });
  expect(res.status()).toBe(201);
  const { id } = await res.json();
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [
    ['/webhooks', 'webhooks-phone'],
    [`/webhooks/${id}`, 'webhook-edit-phone'],
    ['/webhooks/new', 'webhook-new-phone'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    if (path !== '/webhooks') await expect(page.getByTestId('body-preview')).toBeVisible();
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The list keeps its Enabled switches on screen, without sideways scrolling.
    if (path === '/webhooks') await expect(page.getByRole('switch').first()).toBeInViewport({ ratio: 1 });
    await shot(page, name);
  }
});
