// Webfilter editor and list in Chromium: validation, options per filter, reply guide, preview, Send test through
// the filter engine against a loopback receiver, save, reorder, enable toggle, delete; phone layout.
import { expect, test, type Page } from '@playwright/test';
import { E2E_API_KEY } from './config';
import { loopbackReceiver, shot, signInEachTest } from './helpers';

type Reply = { status: number; body: string };
let reply: Reply = { status: 200, body: '{}' };

signInEachTest();
const rx = loopbackReceiver('/filter', () => ({
  status: reply.status,
  headers: { 'content-type': 'application/json', 'x-receiver': 'e2e-filter' },
  body: reply.body,
}));

async function pick(page: Page, search: string, option: string) {
  await page.getByLabel('Event').fill(search);
  await page.getByRole('option', { name: new RegExp(option) }).click();
  await expect(page.getByLabel('Event')).toHaveValue(option);
}

test('create, test, edit, reorder, disable and delete a webfilter', async ({ page, request }) => {
  // Start from no webfilter for this filter: other specs share the server and may have made some.
  const auth = { authorization: `Bearer ${E2E_API_KEY}` };
  const existing = await request.get('/api/v1/webfilters?filter_type=StudentRegistrationRequested', { headers: auth });
  for (const w of (await existing.json()) as { id: string }[]) {
    expect((await request.delete(`/api/v1/webfilters/${w.id}`, { headers: auth })).status()).toBe(204);
  }
  await page.goto('/webfilters');
  if (await page.getByRole('heading', { name: 'No webfilters yet' }).isVisible()) await shot(page, 'webfilters-empty');
  await page.getByRole('link', { name: 'New webfilter' }).click();
  await expect(page).toHaveURL(/\/webfilters\/new$/);

  // Validation: no filter, no URL; then a bad URL.
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Choose a filter.')).toBeVisible();
  await expect(page.getByText('Enter the URL to call.')).toBeVisible();
  await page.getByLabel('Webhook URL').fill('not a url');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Enter a full http:// or https:// URL')).toBeVisible();

  // A filter without exceptions offers no halting options.
  await pick(page, 'schedule', 'Schedule query set requested');
  await expect(page.getByLabel('Disable filtering')).toBeVisible();
  await expect(page.getByLabel('Disable halting')).toHaveCount(0);
  await expect(page.getByLabel('Halt on 4xx')).toHaveCount(0);
  await expect(page.getByTestId('filter-guide')).toContainText('has no exception');

  // A filter whose exception takes redirect_to offers every option; the guide names its exception.
  await pick(page, 'registration requested', 'Student registration requested');
  for (const label of [
    'Disable filtering', 'Disable halting', 'Halt on 4xx', 'Redirect on 4xx', 'Halt on 5xx', 'Redirect on 5xx',
    'Halt on request exception', 'Redirect on request exception',
  ]) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  await expect(page.getByTestId('filter-guide')).toContainText('PreventRegistration');
  await expect(page.getByTestId('reply-format')).toContainText('"exception"');
  await expect(page.getByTestId('reply-format')).toContainText('"form_data"');

  // The preview follows "Use WWW form encoding".
  const preview = page.getByTestId('body-preview');
  await expect(page.getByTestId('preview-content-type')).toHaveText('application/json');
  await expect(preview).toContainText('"filter": "StudentRegistrationRequested"');
  await page.getByLabel('Use WWW form encoding').check();
  await expect(page.getByTestId('preview-content-type')).toHaveText('application/x-www-form-urlencoded');
  await expect(preview).toContainText('event_metadata_filter=StudentRegistrationRequested');
  await page.getByLabel('Use WWW form encoding').uncheck();

  await page.getByLabel('Description').fill('Registration gate');
  await page.getByLabel('Webhook URL').fill(rx.url);

  // Send test: the answer's data and exception, applied as the service would.
  reply = {
    status: 200,
    body: JSON.stringify({ data: { form_data: { country: 'FR' } }, exception: { PreventRegistration: 'Registrations are closed.' } }),
  };
  await page.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByTestId('test-result')).toContainText('HTTP 200');
  await expect(page.getByTestId('test-result')).toContainText('x-receiver');
  await expect(page.getByTestId('filter-result')).toContainText('halted');
  await expect(page.getByTestId('filter-exception')).toContainText('PreventRegistration');
  await expect(page.getByTestId('filter-exception')).toContainText('Registrations are closed.');
  await expect(page.getByTestId('filter-changes')).toContainText('"country": "FR"');
  expect(JSON.parse(rx.hits.at(-1)!.body).event_metadata.filter).toBe('StudentRegistrationRequested');
  await shot(page, 'webfilter-new-tested');

  // Halt on 5xx with a redirect: a 503 becomes the filter's exception with redirect_to.
  reply = { status: 503, body: 'down for maintenance' };
  await page.getByLabel('Halt on 5xx').check();
  await page.getByLabel('Redirect on 5xx').fill('/maintenance');
  await page.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByTestId('test-result')).toContainText('HTTP 503');
  await expect(page.getByTestId('filter-exception')).toContainText('"redirect_to": "/maintenance"');
  await expect(page.getByTestId('filter-exception')).toContainText('"status_code": 503');

  // Save: the editor opens with the loopback warning.
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/webfilters\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Webfilter created.')).toBeVisible();
  await expect(page.getByTestId('private-target-warning')).toBeVisible();
  await expect(page.getByLabel('Halt on 5xx')).toBeChecked();
  await expect(page.getByLabel('Redirect on 5xx')).toHaveValue('/maintenance');
  await expect(page.getByLabel('Position')).toHaveValue('0');
  const editUrl = page.url();
  await shot(page, 'webfilter-edit');

  // Edit and save.
  await page.getByLabel('Description').fill('Registration gate (EU)');
  await page.getByLabel('Halt on request exception').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Webfilter saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Description')).toHaveValue('Registration gate (EU)');
  await expect(page.getByLabel('Halt on request exception')).toBeChecked();

  // A second webfilter for the same filter (through the API) comes after it; reorder in the list.
  const second = await request.post('/api/v1/webfilters', {
    headers: { authorization: `Bearer ${E2E_API_KEY}` },
    data: { description: 'Country defaults', filter_type: 'StudentRegistrationRequested', url: 'https://defaults.example.com/reg' },
  });
  expect(second.status()).toBe(201);
  expect((await second.json()).position).toBe(1);
  // A real filter call from the LMS: the list shows each webfilter's last call.
  reply = { status: 200, body: '{}' };
  const call = await request.post('/api/filters', {
    headers: { authorization: `Bearer ${E2E_API_KEY}` },
    data: { filter_type: 'StudentRegistrationRequested', data: { form_data: { username: 'ada' } } },
  });
  expect(call.status()).toBe(200);
  expect((await call.json()).exception).toBeNull();

  await page.goto('/webfilters');
  const gate = page.getByTestId('webfilter-row').filter({ hasText: 'Registration gate (EU)' });
  await expect(async () => {
    await page.reload();
    await expect(gate).toContainText('succeeded', { timeout: 1000 });
  }).toPass();
  await expect(gate).toContainText('100%');
  await expect(gate).toContainText('1/2');
  await gate.getByRole('button', { name: 'Move Registration gate (EU) down' }).click();
  await expect(gate).toContainText('2/2');
  await expect(page.getByTestId('webfilter-row').first()).toContainText('Country defaults');
  await expect(gate.getByRole('button', { name: /down$/ })).toBeDisabled();

  // Enable toggle saves at once.
  await gate.getByRole('switch', { name: 'Enabled' }).click();
  await expect(page.getByText('Webfilter disabled.')).toBeVisible();
  await page.reload();
  await expect(gate.getByRole('switch', { name: 'Enabled' })).toHaveAttribute('aria-checked', 'false');
  await shot(page, 'webfilters');

  await page.getByLabel('Search webfilters').fill('defaults');
  await expect(page.getByTestId('webfilter-row')).toHaveCount(1);
  await page.getByLabel('Search webfilters').fill('');

  // Delete, with a confirmation.
  await page.goto(editUrl);
  await page.getByRole('button', { name: 'Delete webfilter' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/webfilters$/);
  await expect(page.getByText('Webfilter deleted.')).toBeVisible();
  await expect(page.getByTestId('webfilter-row').filter({ hasText: 'Registration gate' })).toHaveCount(0);
});

test('the webfilter pages fit a phone', async ({ page, request }) => {
  const res = await request.post('/api/v1/webfilters', {
    headers: { authorization: `Bearer ${E2E_API_KEY}` },
    data: { description: 'Sign-in gate', filter_type: 'StudentLoginRequested', url: 'https://gate.example.com/login', halt_on_5xx: true },
  });
  expect(res.status()).toBe(201);
  const { id } = await res.json();
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [
    ['/webfilters', 'webfilters-phone'],
    [`/webfilters/${id}`, 'webfilter-edit-phone'],
    ['/webfilters/new', 'webfilter-new-phone'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The list keeps its Enabled switches on screen, without sideways scrolling.
    if (path === '/webfilters') await expect(page.getByRole('switch').first()).toBeInViewport({ ratio: 1 });
    await shot(page, name);
  }
});
