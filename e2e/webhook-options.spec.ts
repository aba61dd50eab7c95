// The webhook editor's SPEC §9 options in Chromium against a loopback receiver: a header sent and never shown
// again, conditions checked live against the sample, an excluded field gone from the preview and the body, and
// the Replay panel counting before it sends.
import { expect, test } from '@playwright/test';
import { E2E_API_KEY } from './config';
import { loopbackReceiver, shot, signInEachTest } from './helpers';

signInEachTest();
const rx = loopbackReceiver('/options', () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' }));
// An event type no other spec sends, so the replay's count is this spec's own events whatever ran before.
const ENROLLMENT = 'org.openedx.learning.course.enrollment.changed.v1';
const auth = { authorization: `Bearer ${E2E_API_KEY}` };

/** "YYYY-MM-DDTHH:mm" in local time, as a datetime-local input takes it. */
const local = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

test('headers, conditions with a live match, exclusions in the preview, replay after a count', async ({ page, request }) => {
  const made = await request.post('/api/v1/webhooks', {
    headers: auth,
    data: { description: 'Options e2e', event_type: ENROLLMENT, url: rx.url },
  });
  expect(made.status()).toBe(201);
  const { id } = await made.json();
  await page.goto(`/webhooks/${id}`);
  const preview = page.getByTestId('body-preview');
  await expect(preview).toContainText('"email"');

  // A header: name and value; the value is write-only.
  await page.getByRole('button', { name: 'Add header' }).click();
  await page.getByLabel('Header 1 name').fill('Authorization');
  await page.getByLabel('Header 1 value').fill('Bearer e2e-receiver-secret');

  // Conditions, checked live against the sample payload.
  await page.getByRole('button', { name: 'Add condition' }).click();
  await page.getByLabel('Condition 1 path').fill('enrollment.mode');
  await page.getByLabel('Condition 1 value').fill('no-such-mode');
  await expect(page.getByTestId('sample-match')).toContainText('does not match');
  await expect(page.getByTestId('sample-match')).toContainText('enrollment.mode is');
  await page.getByLabel('Condition 1 operator').selectOption('exists');
  await expect(page.getByTestId('sample-match')).toHaveText('The sample event matches.');

  // An excluded field leaves the preview.
  // This event's sample carries a second user (created_by): both emails go.
  await page.getByLabel('Excluded fields').fill('enrollment.user.pii.email\nenrollment.created_by.pii.email');
  await expect(preview).not.toContainText('"email"');
  await expect(preview).toContainText('"username"');
  await shot(page, 'webhook-options');

  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Webhook saved.')).toBeVisible();

  // Never readable back: the API masks it, the reloaded editor has the name and an empty value.
  const got = await (await request.get(`/api/v1/webhooks/${id}`, { headers: auth })).json();
  expect(got.headers).toEqual({ Authorization: '••••' });
  expect(got.conditions).toEqual([{ path: 'enrollment.mode', op: 'exists' }]);
  expect(got.exclude_fields).toEqual(['enrollment.user.pii.email', 'enrollment.created_by.pii.email']);
  await page.reload();
  await expect(page.getByLabel('Header 1 name')).toHaveValue('Authorization');
  await expect(page.getByLabel('Header 1 value')).toHaveValue('');
  expect(await page.content()).not.toContain('e2e-receiver-secret');

  // An event: the receiver gets the header, and the body without the excluded field.
  const sent = await request.post('/api/events', {
    headers: { ...auth, 'content-type': 'application/json' },
    data: {
      event_type: ENROLLMENT,
      data: {
        enrollment: {
          user: { id: 7, is_active: true, pii: { username: 'e2e', email: 'e2e@example.org', name: 'E 2E' } },
          course: { course_key: 'course-v1:edX+E2E+2026', display_name: 'E2E', start: null, end: null },
          mode: 'audit',
          is_active: true,
          creation_date: new Date().toISOString(),
          created_by: null,
        },
      },
    },
  });
  expect(sent.status()).toBe(202);
  await expect.poll(() => rx.hits.length, { timeout: 15_000 }).toBe(1);
  expect(rx.hits[0]!.headers.authorization).toBe('Bearer e2e-receiver-secret');
  expect(rx.hits[0]!.body).not.toContain('e2e@example.org');
  expect(JSON.parse(rx.hits[0]!.body).enrollment.user.pii.username).toBe('e2e');

  // Replay: the count first, then the confirmation sends.
  const now = Date.now();
  await page.getByLabel('From', { exact: true }).fill(local(new Date(now - 3_600_000)));
  await page.getByLabel('To', { exact: true }).fill(local(new Date(now + 3_600_000)));
  await page.getByRole('button', { name: 'Count events' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Confirm replay' });
  await expect(confirm).toContainText('1 event will be sent again.');
  expect(rx.hits).toHaveLength(1);
  await shot(page, 'webhook-replay-confirm');
  await confirm.getByRole('button', { name: 'Replay 1 event' }).click();
  await expect(page.getByText('1 event queued for replay.')).toBeVisible();
  await expect.poll(() => rx.hits.length, { timeout: 15_000 }).toBe(2);
  expect(rx.hits[1]!.headers['webhook-id']).toBe(rx.hits[0]!.headers['webhook-id']);
  const log = await (await request.get(`/api/v1/deliveries?target_id=${id}`, { headers: auth })).json();
  expect(log.items.map((d: { replay: boolean }) => d.replay).sort()).toEqual([false, true]);
  // The log shows which of the two is the replay, in the list and on the delivery's page.
  await page.goto(`/deliveries?target_id=${id}`);
  await expect(page.getByText('replay', { exact: true })).toHaveCount(1);
  const replayed = log.items.find((d: { replay: boolean }) => d.replay) as { id: number };
  await page.goto(`/deliveries/${replayed.id}`);
  await expect(page.getByText('A stored event sent again by a replay, not its first delivery.')).toBeVisible();
});
