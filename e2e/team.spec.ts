// The team through the UI (SPEC §10): an owner invites a viewer, who joins with the link and finds the app
// read-only; changes made in the pages each leave exactly one audit entry with the right before/after (read
// back through GET /api/v1/audit) and the Audit log page shows them; an owner cannot demote the last owner.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { ADMIN, E2E_API_KEY } from './config';
import { loopbackReceiver, shot, signInEachTest } from './helpers';

signInEachTest();

// A receiver that is gone: each delivery fails at its first attempt (410 ends retries).
const gone = loopbackReceiver('/gone', () => ({ status: 410, headers: { 'content-type': 'text/plain' }, body: 'gone' }));

const VIEWER = { email: `viewer.${Date.now()}@example.org`, password: 'viewer chose this 1' };
const auth = { authorization: `Bearer ${E2E_API_KEY}` };

interface Entry {
  id: string;
  action: string;
  target_type: string;
  target_id: string;
  actor: { type: string; id: string; label: string };
  changes: Record<string, { before: unknown; after: unknown }>;
  ip: string | null;
}

async function auditSince(request: APIRequestContext, since: number): Promise<Entry[]> {
  const res = await request.get('/api/v1/audit?limit=200', { headers: auth });
  expect(res.status()).toBe(200);
  return ((await res.json()).items as Entry[]).filter((e) => Number(e.id) > since).reverse();
}

async function lastId(request: APIRequestContext): Promise<number> {
  const res = await request.get('/api/v1/audit?limit=1', { headers: auth });
  return Number(((await res.json()).items[0]?.id as string | undefined) ?? 0);
}

test('an owner invites a viewer, who joins read-only; each change in the pages leaves one audit entry', async ({ page, browser, request }) => {
  const since = await lastId(request);

  // Invite: the link is shown once, to copy.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(/\/users$/);
  await page.getByLabel('Email').fill(VIEWER.email);
  await page.getByLabel('Role', { exact: true }).selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = page.getByTestId('invitation-url');
  await expect(link).toContainText('/invite/oewi_');
  const url = (await link.textContent())!.trim();
  await shot(page, 'users-invited');

  // The invitee joins with the link in a browser of their own and lands in a read-only app.
  const other = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const guest = await other.newPage();
  await guest.goto(url);
  await expect(guest.getByRole('heading', { name: 'Join the team' })).toBeVisible();
  await expect(guest.getByText(VIEWER.email)).toBeVisible();
  await guest.getByLabel('Name').fill('Vera Viewer');
  await guest.getByLabel('Password', { exact: true }).fill(VIEWER.password);
  await guest.getByLabel('Confirm password').fill(VIEWER.password);
  await guest.getByRole('button', { name: 'Join' }).click();
  await expect(guest).toHaveURL(/\/webhooks$/);
  await expect(guest.getByTestId('signed-in-role')).toHaveText('viewer');
  const nav = guest.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Webhooks' })).toBeVisible();
  for (const hidden of ['Users', 'Audit log', 'API keys']) await expect(nav.getByRole('link', { name: hidden })).toHaveCount(0);
  await expect(guest.getByRole('link', { name: 'New webhook' })).toHaveCount(0);
  await guest.goto('/users');
  await expect(guest).toHaveURL(/\/not-allowed\?needs=owner$/);
  await expect(guest.getByText('Your role does not allow this page')).toBeVisible();
  // The link worked once.
  await guest.goto(url);
  await expect(guest.getByTestId('invitation-error')).toHaveText('This invitation has already been used: sign in instead.');
  await other.close();

  // The owner makes changes in the pages: a webhook created, edited, toggled, deleted; a role changed; a key.
  await page.goto('/webhooks/new');
  const picker = page.getByLabel('Event');
  await picker.fill('enrollment created');
  await page.getByRole('option', { name: /Course enrollment created/ }).first().click();
  await page.getByLabel('Description').fill('Audit me');
  await page.getByLabel('Webhook URL').fill('https://receiver.example.org/hook');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/webhooks\/[0-9a-f-]{36}$/);
  const hookId = page.url().split('/').at(-1)!;
  await page.getByLabel('Description').fill('Audit me (v2)');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Webhook saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
  await expect(page.getByText('Secret rotated')).toBeVisible();
  await page.goto('/webhooks');
  const row = page.getByTestId('webhook-row').filter({ hasText: 'Audit me (v2)' });
  await row.getByRole('switch', { name: 'Enabled' }).click();
  await expect(page.getByText('Webhook disabled.')).toBeVisible();
  await row.getByRole('link', { name: 'Audit me (v2)' }).click();
  await page.getByRole('button', { name: 'Delete webhook' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/webhooks$/);

  await page.goto('/users');
  const viewerRow = page.getByTestId('user-row').filter({ hasText: VIEWER.email });
  await viewerRow.getByRole('combobox').selectOption('editor');
  await expect(page.getByText(`${VIEWER.email} is now editor.`)).toBeVisible();
  // The last owner keeps the role.
  const ownerRow = page.getByTestId('user-row').filter({ hasText: ADMIN.email });
  await ownerRow.getByRole('combobox').selectOption('viewer');
  await expect(page.getByText('This is the last owner: make someone else an owner first.')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('user-row').filter({ hasText: ADMIN.email }).getByRole('combobox')).toHaveValue('owner');

  await page.goto('/api-keys');
  await page.getByLabel('Name').fill('Audited key');
  await page.getByLabel('Expires').selectOption('30');
  await page.getByRole('button', { name: 'Create key' }).click();
  const token = (await page.getByTestId('token-value').textContent())!.trim();
  const keyRow = page.getByTestId('api-key-row').filter({ hasText: 'Audited key' });
  await expect(keyRow).toContainText(`by ${ADMIN.email}`);
  await expect(keyRow).toContainText('expires');
  await keyRow.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await expect(page.getByText('Key revoked.')).toBeVisible();

  // Exactly one entry per change, in order, by the right actor, with the right before/after.
  const entries = await auditSince(request, since);
  expect(entries.map((e) => e.action)).toEqual([
    'invitation.created',
    'invitation.accepted',
    'webhook.created',
    'webhook.updated',
    'webhook.secret_rotated',
    'webhook.updated',
    'webhook.deleted',
    'user.role_changed',
    'api_key.created',
    'api_key.revoked',
  ]);
  const byOwner = entries.filter((e) => e.action !== 'invitation.accepted');
  for (const e of byOwner) expect(e.actor).toMatchObject({ type: 'user', label: ADMIN.email });
  expect(entries[1]!.actor).toMatchObject({ type: 'user', label: VIEWER.email });
  for (const e of entries) expect(e.ip).toBe('127.0.0.1');
  expect(entries[0]!.changes).toMatchObject({ email: { before: null, after: VIEWER.email }, role: { before: null, after: 'viewer' } });
  expect(entries[2]).toMatchObject({ target_type: 'webhook', target_id: hookId, changes: { description: { before: null, after: 'Audit me' } } });
  expect(entries[3]!.changes).toEqual({ description: { before: 'Audit me', after: 'Audit me (v2)' } });
  expect(entries[4]!.changes).toEqual({ secret: { before: '••••', after: '••••' } });
  expect(entries[5]!.changes).toEqual({ enabled: { before: true, after: false } });
  expect(entries[6]!.changes.description).toEqual({ before: 'Audit me (v2)', after: null });
  expect(entries[7]!.changes).toEqual({ role: { before: 'viewer', after: 'editor' } });
  expect(entries[8]!.changes).toMatchObject({ name: { before: null, after: 'Audited key' }, scopes: { before: null, after: ['events', 'filters'] } });
  expect(entries[9]!.changes.revoked_at!.before).toBeNull();
  const text = JSON.stringify(entries);
  for (const secret of [token, url.split('/').at(-1)!, VIEWER.password]) expect(text).not.toContain(secret);

  // The Audit log page shows them, newest first, and filters by action.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByTestId('audit-row').first()).toContainText('api_key.revoked');
  await page.getByLabel('Target id').fill(hookId);
  await page.getByLabel('Action').fill('webhook.updated');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=webhook.updated/);
  await expect(page.getByTestId('audit-row')).toHaveCount(2);
  await expect(page.getByTestId('audit-row').last()).toContainText('Audit me (v2)');
  await shot(page, 'audit-log');
});

test('a retry and a bulk retry from the delivery pages leave one entry each', async ({ page, request }) => {
  const hook = await request.post('/api/v1/webhooks', { headers: auth, data: { event_type: 'COURSE_ENROLLMENT_CREATED', url: gone.url, description: 'Gone receiver' } });
  expect(hook.status()).toBe(201);
  const hookId = (await hook.json()).id as string;
  for (let i = 0; i < 2; i++) {
    const ev = await request.post('/api/events', { headers: auth, data: { event_type: 'COURSE_ENROLLMENT_CREATED', data: { enrollment: { mode: 'audit' } } } });
    expect(ev.status()).toBe(202);
  }
  const failed = async () => {
    const res = await request.get(`/api/v1/deliveries?target_id=${hookId}&status=failed`, { headers: auth });
    return ((await res.json()).items as { id: number }[]).map((d) => d.id);
  };
  await expect.poll(async () => (await failed()).length, { timeout: 20_000 }).toBe(2);
  const since = await lastId(request);

  const [one] = await failed();
  await page.goto(`/deliveries/${one}`);
  await page.getByRole('button', { name: /Retry now/ }).click();
  await expect.poll(async () => (await failed()).length, { timeout: 20_000 }).toBe(2); // it fails again: 410

  await page.goto(`/deliveries?status=failed&target_id=${hookId}`);
  await page.getByRole('button', { name: /Retry failed/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Retry 2' }).click();
  await expect(page.getByRole('status').filter({ hasText: '2 failed webhook deliveries queued' })).toBeVisible();

  const entries = await auditSince(request, since);
  expect(entries.map((e) => e.action)).toEqual(['delivery.retried', 'deliveries.bulk_retried']);
  expect(entries[0]).toMatchObject({ target_type: 'delivery', target_id: String(one), actor: { type: 'user', label: ADMIN.email } });
  expect(entries[1]).toMatchObject({ target_type: 'deliveries', changes: { retried: { before: null, after: 2 } }, actor: { label: ADMIN.email } });
  expect(entries[1]!.target_id).toContain(`target_id=${hookId}`);
});
