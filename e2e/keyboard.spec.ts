// Every flow by keyboard alone, no mouse: create a webhook (the event picked with arrow keys), send a test,
// confirm and cancel dialogs (Tab kept inside, focus back on the opener), reorder webfilters, filter the log,
// retry a delivery, create and revoke an API key, invite a user and change a role; the focused control always
// shows a ring.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { E2E_API_KEY } from './config';
import { loopbackReceiver, signInEachTest } from './helpers';

const auth = { authorization: `Bearer ${E2E_API_KEY}` };
const ENROLLED = 'org.openedx.learning.course.enrollment.created.v1';

signInEachTest();
const rx = loopbackReceiver('/keys', (hits) => ({
  // A JSON body saying "gone" fails for good (a 4xx); anything else succeeds.
  status: hits.at(-1)!.body.includes('"mode":"gone"') ? 410 : 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ received: true }),
}));

const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement);

/** Presses Tab (or Shift+Tab) until the target has the focus: it must be reachable that way. */
async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}) {
  await expect(target).toBeVisible();
  for (let i = 0; i < max; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${target} not reached with ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}`);
}

/** The focused element shows a ring a sighted keyboard user can see: an outline or a box-shadow. */
async function expectFocusRing(page: Page) {
  const style = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement!);
    return { outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, width: parseFloat(s.outlineWidth), style: s.outlineStyle, shadow: s.boxShadow };
  });
  const outlined = style.style !== 'none' && style.width >= 2;
  const shadowed = style.shadow !== 'none' && /rgb|oklch|oklab|color/.test(style.shadow);
  expect(outlined || shadowed, `focus ring: outline ${style.outline}, box-shadow ${style.shadow}`).toBe(true);
}

async function expectFocusInside(page: Page, container: Locator) {
  expect(await container.evaluate((el) => el.contains(document.activeElement) && el !== document.activeElement)).toBe(true);
}

test('create a webhook, send a test, then rotate its secret through a dialog, all by keyboard', async ({ page }) => {
  await page.goto('/webhooks');
  await tabTo(page, page.getByRole('link', { name: 'New webhook' }));
  await expectFocusRing(page);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/webhooks\/new$/);

  // The picker: type, arrows to move, Enter to pick.
  const picker = page.getByRole('combobox', { name: 'Event' });
  await tabTo(page, picker);
  await expectFocusRing(page);
  await page.keyboard.type('enrollment');
  const listbox = page.getByRole('listbox');
  await expect(listbox).toBeVisible();
  const wanted = page.getByRole('option', { name: /Course enrollment created/ });
  for (let i = 0; i < 30 && (await wanted.getAttribute('aria-selected')) !== 'true'; i++) await page.keyboard.press('ArrowDown');
  await expect(wanted).toHaveAttribute('aria-selected', 'true');
  await expect(picker).toHaveAttribute('aria-activedescendant', (await wanted.getAttribute('id'))!);
  await page.keyboard.press('Enter');
  await expect(listbox).toBeHidden();
  await expect(picker).toHaveValue('Course enrollment created');
  // Escape closes the list without changing the choice.
  await page.keyboard.press('ArrowDown');
  await expect(listbox).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(listbox).toBeHidden();
  await expect(picker).toHaveValue('Course enrollment created');

  await tabTo(page, page.getByLabel('Description'));
  await page.keyboard.type('Keyboard CRM sync');
  await tabTo(page, page.getByLabel('Webhook URL'));
  await page.keyboard.type(rx.url);

  // The body preview scrolls, so it takes the focus, with a name.
  await tabTo(page, page.getByRole('region', { name: /Sample body/ }));
  await expectFocusRing(page);

  const sendTest = page.getByRole('button', { name: 'Send test' });
  await tabTo(page, sendTest);
  await expectFocusRing(page);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('test-result')).toContainText('HTTP 200');
  await expect(page.getByTestId('test-announcement')).toHaveText(/^Test answered: HTTP 200 in \d+ ms\.$/);
  await expect(page.getByTestId('test-announcement')).toHaveAttribute('role', 'status');

  await tabTo(page, page.getByRole('button', { name: 'Save' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/);
  const toast = page.getByRole('status').filter({ hasText: 'Webhook created.' });
  await expect(toast).toBeVisible();
  expect(await toast.evaluate((el) => el.closest('[aria-live="polite"]') !== null)).toBe(true);

  // A dialog: Escape cancels and gives the focus back to the button that opened it.
  const opener = page.getByRole('button', { name: 'Rotate secret' });
  const dialog = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
  await tabTo(page, opener);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await expectFocusInside(page, dialog);
  await expectFocusRing(page);
  // Tab and Shift+Tab go round inside the dialog, never behind it.
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    await expectFocusInside(page, dialog);
  }
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Shift+Tab');
    await expectFocusInside(page, dialog);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(await isFocused(opener)).toBe(true);

  // Cancel does the same.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await tabTo(page, dialog.getByRole('button', { name: 'Cancel' }));
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  expect(await isFocused(opener)).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'Secret rotated' })).toHaveCount(0);

  // Confirm: the action runs, and the focus is back on the opener.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await tabTo(page, dialog.getByRole('button', { name: 'Rotate secret' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Secret rotated' })).toBeVisible();
  await expect(dialog).toBeHidden();
  expect(await isFocused(opener)).toBe(true);
});

test('reorder webfilters by keyboard: the focus follows the moved row', async ({ page, request }) => {
  const existing = await request.get('/api/v1/webfilters?filter_type=StudentRegistrationRequested', { headers: auth });
  for (const w of (await existing.json()) as { id: string }[]) await request.delete(`/api/v1/webfilters/${w.id}`, { headers: auth });
  for (const description of ['Keyboard first', 'Keyboard second']) {
    const r = await request.post('/api/v1/webfilters', {
      headers: auth,
      data: { description, filter_type: 'StudentRegistrationRequested', url: 'https://kb.example.com/reg' },
    });
    expect(r.status()).toBe(201);
  }
  await page.goto('/webfilters');
  const first = page.getByTestId('webfilter-row').filter({ hasText: 'Keyboard first' });
  await expect(first).toContainText('1/2');
  await tabTo(page, first.getByRole('button', { name: 'Move Keyboard first down' }));
  await expectFocusRing(page);
  await page.keyboard.press('Enter');
  await expect(first).toContainText('2/2');
  // Down is now disabled: the focus moved to this row's Up arrow rather than falling back to the page.
  await expect(first.getByRole('button', { name: 'Move Keyboard first up' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(first).toContainText('1/2');
  await expect(first.getByRole('button', { name: 'Move Keyboard first down' })).toBeFocused();
});

test('filter the log, retry a delivery and cancel the bulk retry, by keyboard', async ({ page, request }) => {
  const ok = await request.post('/api/v1/webhooks', {
    headers: auth,
    data: { description: 'Keyboard ok', event_type: ENROLLED, url: rx.url, use_www_form_encoding: true },
  });
  const gone = await request.post('/api/v1/webhooks', { headers: auth, data: { description: 'Keyboard gone', event_type: ENROLLED, url: rx.url } });
  expect(ok.status()).toBe(201);
  expect(gone.status()).toBe(201);
  const goneId = (await gone.json()).id as string;
  // Both webhooks get the event; the receiver fails the JSON one.
  const ev = await request.post('/api/events', { headers: auth, data: { event_type: ENROLLED, data: { enrollment: { mode: 'gone' } } } });
  expect(ev.status()).toBe(202);

  await page.goto('/deliveries');
  // Status, by arrow keys on the select: each step filters at once, and the focus stays on the select.
  const statusSelect = page.getByLabel('Status');
  await tabTo(page, statusSelect);
  await expectFocusRing(page);
  for (const value of ['pending', 'succeeded', 'failed']) {
    await page.keyboard.press('ArrowDown');
    await expect(page).toHaveURL(new RegExp(`status=${value}`));
    await expect(page.getByLabel('Status')).toHaveValue(value);
    await expect(page.getByLabel('Status')).toBeFocused();
  }
  // The target, arrow by arrow.
  const target = page.getByLabel('Target');
  await tabTo(page, target);
  for (let i = 0; i < 40 && (await target.inputValue()) !== goneId; i++) {
    await page.keyboard.press('ArrowDown');
    await expect(page).toHaveURL(/target_id=/);
    await expect(target).toBeFocused();
  }
  await expect(page).toHaveURL(new RegExp(`target_id=${goneId}`));
  const rows = page.getByTestId('delivery-row');
  await expect(rows).toHaveCount(1, { timeout: 20_000 });
  await expect(rows.first().getByTestId('delivery-status')).toHaveText('failed');

  // Bulk retry: open, then Escape; the focus goes back to the button.
  const bulk = page.getByRole('button', { name: /Retry failed/ });
  await tabTo(page, bulk, { back: true });
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Retry 1 failed webhook delivery?');
  await expectFocusInside(page, dialog);
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    await expectFocusInside(page, dialog);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(bulk).toBeFocused();

  // The delivery's detail, then Retry now: a second attempt, the focus still on the button.
  await tabTo(page, rows.first().getByTestId('delivery-link'));
  await expectFocusRing(page);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/deliveries\/\d+$/);
  const retry = page.getByRole('button', { name: /Retry now|Retrying/ });
  await tabTo(page, retry);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Retry queued' })).toBeVisible();
  await expect(page.getByTestId('attempt')).toHaveCount(2, { timeout: 20_000 });
  await expect(retry).toBeFocused();
});

test('create and revoke an API key by keyboard', async ({ page }) => {
  await page.goto('/api-keys');
  await tabTo(page, page.getByLabel('Name'));
  await expectFocusRing(page);
  await page.keyboard.type('Keyboard key');
  await tabTo(page, page.getByRole('button', { name: 'Create key' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('token-value')).toContainText('oewh_');

  const row = page.getByTestId('api-key-row').filter({ hasText: 'Keyboard key' });
  const revoke = row.getByRole('button', { name: 'Revoke' });
  await tabTo(page, revoke);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Revoke “Keyboard key”?' });
  await expect(dialog).toBeVisible();
  await expectFocusInside(page, dialog);
  await tabTo(page, dialog.getByRole('button', { name: 'Revoke key' }));
  await expectFocusRing(page);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Key revoked.' })).toBeVisible();
  await expect(row.getByText('revoked', { exact: true })).toBeVisible();
  // The button is gone with the key: the focus lands on the page heading, not nowhere.
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
});

test('invite a user and change their role by keyboard', async ({ page }) => {
  const email = `keyboard.${Date.now()}@example.org`;
  await page.goto('/users');
  await tabTo(page, page.getByLabel('Email'));
  await expectFocusRing(page);
  await page.keyboard.type(email);
  // The role, by arrow keys on the select: viewer (the default) up to editor.
  const role = page.getByLabel('Role', { exact: true });
  await tabTo(page, role);
  await expectFocusRing(page);
  await expect(role).toHaveValue('viewer');
  await page.keyboard.press('ArrowUp');
  await expect(role).toHaveValue('editor');
  await tabTo(page, page.getByRole('button', { name: 'Invite' }));
  await expectFocusRing(page);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('invitation-url')).toContainText('/invite/oewi_');
  await expect(page.getByTestId('invitation')).toContainText(`Invitation for ${email} created`);
  // The link's Copy button is reachable too.
  await tabTo(page, page.getByTestId('invitation').getByRole('button', { name: 'Copy' }), { back: true });
  await expectFocusRing(page);

  // Change a role: the invitee joins (through the API's link), then the owner moves them editor → viewer.
  const joiner = `kb.role.${Date.now()}@example.org`;
  const invite = await page.request.post('/api/v1/invitations', { headers: auth, data: { email: joiner, role: 'editor' } });
  expect(invite.status(), await invite.text()).toBe(201);
  const other = await page.context().browser()!.newContext({ storageState: { cookies: [], origins: [] } });
  const guest = await other.newPage();
  await guest.goto((await invite.json()).url);
  await guest.getByLabel('Password', { exact: true }).fill('keyboard joiner 1');
  await guest.getByLabel('Confirm password').fill('keyboard joiner 1');
  await guest.getByRole('button', { name: 'Join' }).click();
  await expect(guest).toHaveURL(/\/webhooks$/);
  await other.close();

  await page.goto('/users');
  const select = page.getByRole('combobox', { name: `Role of ${joiner}` });
  await tabTo(page, select);
  await expectFocusRing(page);
  await expect(select).toHaveValue('editor');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('status').filter({ hasText: `${joiner} is now viewer.` })).toBeVisible();
  await expect(select).toHaveValue('viewer');
  await expect(select).toBeFocused();
  await page.reload();
  await expect(page.getByRole('combobox', { name: `Role of ${joiner}` })).toHaveValue('viewer');
});
