// WCAG 2.1 AA with axe-core on every page and state of the admin app: sign-in, every list empty and full, the
// editors with validation errors, the event picker open, send-test results, the delivery log with filters and a
// delivery's detail, a token just created, the import preview, each confirmation dialog and a toast; the team's
// pages (users with an invitation link and a role change, the audit log full and filtered), the invitation page
// with a good and a bad link, /not-allowed, a viewer's read-only editor, and the API reference.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { axeViolations, expectAccessible } from './axe';
import { ADMIN, E2E_API_KEY } from './config';
import { loopbackReceiver, signInEachTest } from './helpers';

const auth = { authorization: `Bearer ${E2E_API_KEY}` };
const ENROLLED = 'org.openedx.learning.course.enrollment.created.v1';

signInEachTest();
const rx = loopbackReceiver('/a11y', (hits) => ({
  // An enrollment in the made-up "refused" mode fails for good (a 4xx, no retry); anything else succeeds.
  status: hits.at(-1)!.body.includes('"mode":"refused"') ? 410 : 200,
  headers: { 'content-type': 'application/json', 'x-receiver': 'a11y' },
  body: JSON.stringify({ received: true, data: { form_data: { country: 'FR' } } }),
}));

/** This project runs after the others: take away the webhooks and webfilters they left, for the empty lists. */
async function removeAll(request: APIRequestContext) {
  for (const kind of ['webhooks', 'webfilters']) {
    const rows = (await (await request.get(`/api/v1/${kind}`, { headers: auth })).json()) as { id: string }[];
    for (const r of rows) expect((await request.delete(`/api/v1/${kind}/${r.id}`, { headers: auth })).status()).toBe(204);
  }
}

async function openDialog(page: Page, button: string | RegExp) {
  await page.getByRole('button', { name: button }).first().click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  return dialog;
}

test('the check itself fails on a page with a violation', async ({ page }) => {
  await page.goto('/webhooks');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.evaluate(() => {
    const p = document.createElement('p');
    p.textContent = 'Pale text on white';
    p.style.cssText = 'color:#cbd5e1;background:#fff;font-size:12px';
    document.querySelector('main')!.append(p);
  });
  expect((await axeViolations(page)).join('\n')).toContain('color-contrast');
});

test('sign-in, empty and with an error', async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page, 'sign-in');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password.' })).toBeVisible();
  await expectAccessible(page, 'sign-in with a wrong password');
  await context.close();
});

test('webhooks: empty list, new with errors, picker open, send-test result, edit, dialogs, full list', async ({ page, request }) => {
  await removeAll(request);
  await page.goto('/webhooks');
  await expect(page.getByRole('heading', { name: 'No webhooks yet' })).toBeVisible();
  await expectAccessible(page, 'webhooks, empty');

  await page.goto('/webhooks/new');
  await expect(page.getByTestId('body-preview')).toContainText('Pick an event');
  await expectAccessible(page, 'new webhook');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Choose an event.')).toBeVisible();
  await expect(page.getByText('Enter the URL to call.')).toBeVisible();
  await expectAccessible(page, 'new webhook with validation errors');

  await page.getByLabel('Event').fill('enrollment');
  await expect(page.getByRole('option', { name: /Course enrollment created/ })).toBeVisible();
  await page.getByLabel('Event').press('ArrowDown');
  await expectAccessible(page, 'event picker open');
  await page.getByRole('option', { name: /Course enrollment created/ }).click();
  await expect(page.getByTestId('body-preview')).toContainText('"event_metadata"');
  await page.getByLabel('Description').fill('Accessible CRM sync');
  await page.getByLabel('Webhook URL').fill(rx.url);
  await page.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByTestId('test-result')).toContainText('HTTP 200');
  await expectAccessible(page, 'new webhook with a send-test result and the JSON preview');
  await page.getByLabel('Use WWW form encoding').check();
  await expect(page.getByTestId('preview-content-type')).toHaveText('application/x-www-form-urlencoded');
  await expectAccessible(page, 'new webhook with the form-encoded preview');

  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('status').filter({ hasText: 'Webhook created.' })).toBeVisible();
  await expectAccessible(page, 'webhook editor with a toast');
  await page.getByRole('button', { name: 'Show secret' }).click();
  await expect(page.getByTestId('webhook-secret')).toContainText('whsec_');
  await page.getByLabel('Webhook URL').fill('gopher://nowhere');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Enter a full http:// or https:// URL')).toBeVisible();
  await expectAccessible(page, 'webhook editor with the secret shown and a validation error');
  await page.getByLabel('Webhook URL').fill(rx.url);

  await openDialog(page, 'Rotate secret');
  await expectAccessible(page, 'rotate-secret dialog');
  await page.keyboard.press('Escape');
  await openDialog(page, 'Delete webhook');
  await expectAccessible(page, 'delete-webhook dialog');
  await page.keyboard.press('Escape');

  await page.goto('/webhooks');
  await expect(page.getByTestId('webhook-row')).toHaveCount(1);
  await expectAccessible(page, 'webhooks, full');
  await page.getByLabel('Search webhooks').fill('nothing like this');
  await expect(page.getByText('No webhook matches these filters.')).toBeVisible();
  await expectAccessible(page, 'webhooks, nothing matches');
});

test('webfilters: empty list, new with errors, send-test result, edit, dialogs, full list', async ({ page, request }) => {
  await removeAll(request);
  await page.goto('/webfilters');
  await expect(page.getByRole('heading', { name: 'No webfilters yet' })).toBeVisible();
  await expectAccessible(page, 'webfilters, empty');

  await page.goto('/webfilters/new');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Choose a filter.')).toBeVisible();
  await expectAccessible(page, 'new webfilter with validation errors');
  await page.getByLabel('Event').fill('registration requested');
  await page.getByRole('option', { name: /Student registration requested/ }).click();
  await expect(page.getByTestId('filter-guide')).toContainText('PreventRegistration');
  await page.getByLabel('Description').fill('Accessible gate');
  await page.getByLabel('Webhook URL').fill(rx.url);
  await page.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByTestId('filter-result')).toBeVisible();
  await expectAccessible(page, 'new webfilter with options, guide and a send-test result');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/webfilters\/[0-9a-f-]{36}$/);
  await expectAccessible(page, 'webfilter editor');
  await openDialog(page, 'Delete webfilter');
  await expectAccessible(page, 'delete-webfilter dialog');
  await page.keyboard.press('Escape');

  const second = await request.post('/api/v1/webfilters', {
    headers: auth,
    data: { description: 'Accessible second', filter_type: 'StudentRegistrationRequested', url: 'https://second.example.com/reg' },
  });
  expect(second.status()).toBe(201);
  await page.goto('/webfilters');
  await expect(page.getByTestId('webfilter-row')).toHaveCount(2);
  await expectAccessible(page, 'webfilters, full with order buttons');
});

test('deliveries: the log empty, full and filtered, a detail, the bulk-retry dialog', async ({ page, request }) => {
  await page.goto(`/deliveries?event_id=${randomUUID()}`);
  await expect(page.getByRole('heading', { name: 'No deliveries match these filters' })).toBeVisible();
  await expectAccessible(page, 'deliveries, nothing matches');
  await page.goto('/deliveries');
  if (await page.getByRole('heading', { name: 'No deliveries yet' }).isVisible()) await expectAccessible(page, 'deliveries, empty');

  const hook = await request.post('/api/v1/webhooks', {
    headers: auth,
    data: { description: 'Accessible log', event_type: ENROLLED, url: rx.url },
  });
  expect(hook.status()).toBe(201);
  const { id: hookId } = await hook.json();
  const ev = await request.post('/api/events', {
    headers: auth,
    data: { event_type: ENROLLED, data: { enrollment: { mode: 'refused', user: { pii: { email: 'ada@example.org' } } } } },
  });
  expect(ev.status()).toBe(202);
  await request.post('/api/events', { headers: auth, data: { event_type: ENROLLED, data: { enrollment: { mode: 'verified' } } } });
  const call = await request.post('/api/filters', {
    headers: auth,
    data: { filter_type: 'StudentRegistrationRequested', data: { form_data: { username: 'ada', password: 'hunter2' } } },
  });
  expect(call.status()).toBe(200);

  await page.goto(`/deliveries?target_id=${hookId}`);
  const rows = page.getByTestId('delivery-row');
  await expect(rows.filter({ hasText: 'failed' })).toHaveCount(1, { timeout: 30_000 });
  await expect(rows.filter({ hasText: 'succeeded' })).toHaveCount(1, { timeout: 30_000 });
  await expectAccessible(page, 'deliveries, filtered by target');
  await page.goto('/deliveries');
  await expect(rows.first()).toBeVisible();
  await expectAccessible(page, 'deliveries, full with the chart');
  // The chart's text alternative, and the live refresh telling what it brought.
  await expect(page.getByRole('img', { name: /^Deliveries per hour over the last 24 hours: \d+ succeeded, \d+ pending, \d+ failed(, \d+ skipped)?(, \d+ cancelled)?\.$/ })).toBeVisible();
  const announcement = page.getByTestId('log-announcement');
  await expect(announcement).toHaveAttribute('role', 'status');
  await expect(announcement).toHaveText('');
  await request.post('/api/events', { headers: auth, data: { event_type: ENROLLED, data: { enrollment: { mode: 'honor' } } } });
  await expect(announcement).toContainText(/1 new delivery|now succeeded/, { timeout: 20_000 });

  await page.goto(`/deliveries?target_id=${hookId}&status=failed`);
  await rows.first().getByTestId('delivery-link').click();
  await expect(page.getByTestId('attempt').first()).toBeVisible();
  await expectAccessible(page, 'a failed webhook delivery');
  await page.getByRole('button', { name: /Retry now/ }).click();
  await expect(page.getByTestId('attempt')).toHaveCount(2, { timeout: 20_000 });
  await expectAccessible(page, 'a retried webhook delivery, with its toast');

  await page.goto('/deliveries?kind=webfilter');
  await rows.first().getByTestId('delivery-link').click();
  await expect(page.getByTestId('filter-outcome')).toBeVisible();
  await expectAccessible(page, 'a webfilter call');

  await page.goto('/deliveries?status=failed');
  await openDialog(page, /Retry failed/);
  await expectAccessible(page, 'bulk-retry dialog');
});

test('API keys, connections and import: lists, a token just created, the revoke dialog, the preview', async ({ page, request }) => {
  await page.goto('/api-keys');
  await expectAccessible(page, 'API keys');
  await page.getByLabel('Name').fill('Accessible key');
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByTestId('token-value')).toContainText('oewh_');
  await expectAccessible(page, 'API keys with a token just created');
  const row = page.getByTestId('api-key-row').filter({ hasText: 'Accessible key' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await expectAccessible(page, 'revoke dialog');
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await expect(row.getByText('revoked', { exact: true })).toBeVisible();
  await expectAccessible(page, 'API keys with a revoked key');

  await page.goto('/connections');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectAccessible(page, 'connections');
  // A platform connects with a key made here: the key shown, then the platform listed.
  const guide = page.getByTestId('connect-guide');
  if ((await guide.getAttribute('open')) === null) await guide.locator('summary').click();
  await page.getByRole('button', { name: 'Create a key for Open edX' }).click();
  const token = (await page.getByTestId('token-value').textContent())!.trim();
  await expectAccessible(page, 'connections with the relay key just created');
  const headers = { authorization: `Bearer ${token}`, 'user-agent': 'openedx-webhooks-relay/0.3.1 (lms; openedx-events/10.5.0; openedx-filters/2.1.0)' };
  const sync = await request.put('/api/v1/catalog/platform', {
    headers,
    data: { source: { host: 'lms.a11y.example', variant: 'lms', relay: '0.3.1', openedx_events: '10.5.0', openedx_filters: '2.1.0' }, events: [], filters: [] },
  });
  expect(sync.status(), await sync.text()).toBe(200);
  await page.reload();
  await expect(page.getByTestId('connection-row').filter({ hasText: 'lms.a11y.example' })).toBeVisible();
  await expectAccessible(page, 'connections, a platform listed');

  await page.goto('/import');
  await expectAccessible(page, 'import');
  const input = page.getByLabel('Dumpdata file');
  await input.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('not json') });
  await expect(page.getByTestId('import-error')).toBeVisible();
  await expectAccessible(page, 'import with a bad file');
  const dump = fs.readFileSync('tests/import/fixtures/openedx-webhooks-dumpdata.json');
  await input.setInputFiles({ name: 'dump.json', mimeType: 'application/json', buffer: dump });
  await expect(page.getByTestId('import-summary')).toBeVisible();
  await expectAccessible(page, 'import preview');
  await page.getByRole('button', { name: /^Import \d+$/ }).click();
  await expect(page.getByRole('heading', { name: 'Imported' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /^Created / })).toBeVisible();
  await expectAccessible(page, 'import done, with its toast');
  await removeAll(request);
});

test('team: users, an invitation, a role change, the audit log, a viewer read-only, not allowed', async ({ page, browser, request }) => {
  const viewer = { email: `a11y.viewer.${Date.now()}@example.org`, password: 'accessible viewer 1' };
  const hook = await request.post('/api/v1/webhooks', {
    headers: auth,
    data: { description: 'Accessible read-only', event_type: ENROLLED, url: rx.url },
  });
  expect(hook.status()).toBe(201);
  const { id: hookId } = await hook.json();

  await page.goto('/users');
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  await expectAccessible(page, 'users');
  await page.getByLabel('Email').fill(viewer.email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = page.getByTestId('invitation-url');
  await expect(link).toContainText('/invite/oewi_');
  const url = (await link.textContent())!.trim();
  await expectAccessible(page, 'users with an invitation link shown');

  // The invitee: the page with a good link, with errors, then the app as a viewer.
  const other = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const guest = await other.newPage();
  await guest.goto(url);
  await expect(guest.getByRole('heading', { name: 'Join the team' })).toBeVisible();
  await expectAccessible(guest, 'invitation, a valid link');
  await guest.getByLabel('Password', { exact: true }).fill(viewer.password);
  await guest.getByLabel('Confirm password').fill('something else entirely');
  await guest.getByRole('button', { name: 'Join' }).click();
  await expect(guest.getByLabel('Confirm password')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(guest, 'invitation with a validation error');
  await guest.getByLabel('Password', { exact: true }).fill(viewer.password);
  await guest.getByLabel('Confirm password').fill(viewer.password);
  await guest.getByRole('button', { name: 'Join' }).click();
  await expect(guest).toHaveURL(/\/webhooks$/);
  await expect(guest.getByTestId('signed-in-role')).toHaveText('viewer');
  await expectAccessible(guest, 'webhooks as a viewer');
  await guest.goto(`/webhooks/${hookId}`);
  await expect(guest.getByTestId('read-only-note')).toBeVisible();
  await expect(guest.getByLabel('Webhook URL')).toBeDisabled();
  await expectAccessible(guest, "a viewer's read-only webhook editor");
  await guest.goto('/users');
  await expect(guest).toHaveURL(/\/not-allowed\?needs=owner$/);
  await expect(guest.getByRole('heading', { name: 'Your role does not allow this page' })).toBeVisible();
  await expectAccessible(guest, '/not-allowed');
  await other.close();

  const stranger = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const bad = await stranger.newPage();
  await bad.goto(url);
  await expect(bad.getByTestId('invitation-error')).toHaveText('This invitation has already been used: sign in instead.');
  await expectAccessible(bad, 'invitation, a used link');
  await bad.goto('/invite/oewi_not-a-real-token');
  await expect(bad.getByTestId('invitation-error')).toBeVisible();
  await expectAccessible(bad, 'invitation, an unknown link');
  await stranger.close();

  // The owner changes the role, then opens the remove dialog.
  await page.goto('/users');
  const row = page.getByTestId('user-row').filter({ hasText: viewer.email });
  await row.getByRole('combobox', { name: `Role of ${viewer.email}` }).selectOption('editor');
  await expect(page.getByRole('status').filter({ hasText: `${viewer.email} is now editor.` })).toBeVisible();
  await expectAccessible(page, 'users after a role change, with its toast');
  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('dialog', { name: `Remove ${viewer.email}?` })).toBeVisible();
  await expectAccessible(page, 'remove-user dialog');
  await page.keyboard.press('Escape');

  await page.goto('/audit');
  await expect(page.getByTestId('audit-row').first()).toBeVisible();
  await expectAccessible(page, 'audit log with entries');
  await page.getByLabel('Action').fill('user.role_changed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=user.role_changed/);
  await expect(page.getByTestId('audit-row').first()).toContainText('user.role_changed');
  await expectAccessible(page, 'audit log filtered by action');
  await page.goto('/audit?action=nothing.like.this');
  await expect(page.getByRole('heading', { name: 'No entries' })).toBeVisible();
  await expectAccessible(page, 'audit log, nothing matches');
  await page.goto('/audit?from=not-a-date');
  await expect(page.getByRole('alert').filter({ hasText: 'from: must be an ISO 8601 time' })).toBeVisible();
  await expectAccessible(page, 'audit log with a bad filter');
});

test('the API reference page', async ({ page }) => {
  await page.goto('/api-reference');
  await expect(page.getByRole('heading', { name: 'API reference', level: 1 })).toBeVisible();
  await expect(page.getByText('Send an Open edX event').first()).toBeVisible({ timeout: 30_000 });
  await expectAccessible(page, 'API reference');
  await page.getByRole('button', { name: 'Open Group - Management' }).click();
  await expect(page.getByText('Create a webhook').first()).toBeVisible();
  await expectAccessible(page, 'API reference with a group open');
});

test('phone width: the lists, an editor, the log and a delivery', async ({ page, request }) => {
  const hook = await request.post('/api/v1/webhooks', {
    headers: auth,
    data: { description: 'Accessible on a phone', event_type: ENROLLED, url: rx.url },
  });
  expect(hook.status()).toBe(201);
  const { id } = await hook.json();
  await request.post('/api/events', { headers: auth, data: { event_type: ENROLLED, data: { enrollment: { mode: 'honor' } } } });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/deliveries?target_id=${id}`);
  const link = page.getByTestId('delivery-link').first();
  await expect(link).toBeVisible({ timeout: 20_000 });
  const detail = (await link.getAttribute('href'))!;
  for (const path of ['/webhooks', `/webhooks/${id}`, '/webfilters', '/webfilters/new', '/webfilters/health', '/deliveries', detail, '/api-keys', '/connections', '/import', '/users', '/audit', '/retirements']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectAccessible(page, `${path} at 390 px`);
  }
});
