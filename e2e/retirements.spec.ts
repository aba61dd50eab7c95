// Retiring a learner from the admin app (owners, SPEC §13): a preview of what it touches, then the retirement,
// after which the learner's email is nowhere in the stored events and their pending deliveries are cancelled.
import { expect, test } from '@playwright/test';
import { E2E_API_KEY } from './config';
import { expectAccessible } from './axe';
import { shot, signInEachTest } from './helpers';

signInEachTest();
const auth = { authorization: `Bearer ${E2E_API_KEY}` };

test('an owner previews and retires a learner; the list shows counts only', async ({ page, request }) => {
  const hook = await request.post('/api/v1/webhooks', { headers: auth, data: { event_type: 'COURSE_ENROLLMENT_CREATED', url: 'https://hooks.example.org/never-called' } });
  expect(hook.status()).toBe(201);
  const email = `grace.${Date.now()}@example.org`;
  const data = { enrollment: { user: { id: 31337, is_active: true, pii: { username: 'ghopper', email, name: 'Grace Hopper' } }, course: { course_key: 'course-v1:edX+Navy+1959' }, mode: 'audit', is_active: true } };
  expect((await request.post('/api/events', { headers: auth, data: { event_type: 'COURSE_ENROLLMENT_CREATED', data } })).status()).toBe(202);

  await page.goto('/retirements');
  await expect(page.getByRole('heading', { name: 'Retirements', level: 1 })).toBeVisible();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Username').fill('ghopper');
  await page.getByLabel('LMS user id').fill('31337');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByTestId('retirement-preview')).toContainText('from 1 events');
  await shot(page, 'retirement-preview');
  await expectAccessible(page, 'retirements with a preview');
  await page.getByRole('button', { name: 'Retire', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Retired:' })).toContainText('1 events');
  await page.reload();
  await expect(page.getByTestId('retirement-row').first()).toContainText('31337');

  const exported = await request.get(`/api/v1/retirements/export?email=${encodeURIComponent(email)}`, { headers: auth });
  expect(await exported.json()).toEqual({ events: [], deliveries: [] });
  await request.delete(`/api/v1/webhooks/${(await hook.json()).id}`, { headers: auth });
});
