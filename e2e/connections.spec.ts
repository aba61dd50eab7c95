// Connections page in Chromium: the empty state with the steps to connect a platform, the button that creates
// the relay's key, then the platform listed after its catalog sync and first event, and its own event in the
// webhook editor's picker with a sample body built from its JSON Schema.
import { expect, test } from '@playwright/test';
import { shot, signInEachTest } from './helpers';

signInEachTest();

const UA = 'openedx-webhooks-relay/0.3.1 (lms; openedx-events/10.5.0; openedx-filters/2.1.0)';
const BADGE = 'org.openedx.learning.badge.polished.v1';

test('connect a platform: steps, create its key, see it listed', async ({ page, request }) => {
  await page.goto('/connections');
  await expect(page.getByRole('link', { name: 'Connections' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { name: 'No platform has connected yet' })).toBeVisible();
  const guide = page.getByTestId('connect-guide');
  await expect(guide.getByLabel('Tutor commands')).toContainText('pip install tutor-contrib-webhooks');
  await expect(guide.getByLabel('Tutor commands')).toContainText('tutor plugins enable webhooks');
  await expect(guide.getByLabel('Tutor commands')).toContainText('tutor local launch');
  await expect(guide.getByLabel('pip command')).toContainText('pip install openedx-webhooks-relay');
  await expect(guide.getByLabel('Django settings')).toContainText('OPENEDX_WEBHOOKS_URL = "http://127.0.0.1:');
  await expect(guide.getByLabel('Django settings')).toContainText('<your API key>');
  await shot(page, 'connections-empty');

  await page.getByRole('button', { name: 'Create a key for Open edX' }).click();
  const token = (await page.getByTestId('token-value').textContent())!.trim();
  expect(token).toMatch(/^oewh_/);
  await expect(guide.getByLabel('Django settings')).toContainText(`OPENEDX_WEBHOOKS_API_KEY = "${token}"`);
  await expect(guide.getByRole('button', { name: 'Copy' }).first()).toBeVisible();

  // What the relay does with that key: sync the catalog, then send an event.
  const headers = { authorization: `Bearer ${token}`, 'user-agent': UA };
  const routing = await request.get('/api/v1/routing', { headers });
  expect(routing.status()).toBe(200);
  expect(routing.headers()['etag']).toBeTruthy();
  const sync = await request.put('/api/v1/catalog/platform', {
    headers,
    data: {
      source: { host: 'lms.demo.example', variant: 'lms', relay: '0.3.1', openedx_events: '10.5.0', openedx_filters: '2.1.0' },
      events: [
        {
          event_type: BADGE,
          signal: 'BADGE_POLISHED',
          data: { badge: { title: 'BadgeData', type: 'object', properties: { shine: { type: 'integer' }, colour: { type: 'string' } } } },
          description: 'A badge was polished.',
        },
      ],
      filters: [],
    },
  });
  expect(sync.status(), await sync.text()).toBe(200);
  expect(await sync.json()).toEqual({ events: 1, filters: 0, new_events: [BADGE], new_filters: [] });
  const ev = await request.post('/api/events', {
    headers,
    data: { event_type: 'BADGE_POLISHED', data: { badge: { shine: 2, colour: 'gold' } }, metadata: { sourcehost: 'lms.demo.example' } },
  });
  expect(ev.status(), await ev.text()).toBe(202);

  await page.reload();
  const row = page.getByTestId('connection-row').filter({ hasText: 'lms.demo.example' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('LMS');
  await expect(row).toContainText('0.3.1');
  await expect(row).toContainText('10.5.0');
  await expect(row).toContainText('2.1.0');
  await expect(row).toContainText('Catalog: 1 event, 0 filters');
  await expect(row.locator('td').nth(6)).toHaveText('1');
  // With a platform listed, the steps fold away but stay on demand.
  await expect(page.getByTestId('connect-guide')).not.toHaveAttribute('open', '');
  await expect(page.getByTestId('token-value')).toHaveCount(0);
  await shot(page, 'connections');

  // The platform's own event is in the webhook editor's picker, with a sample body from its schema.
  await page.goto('/webhooks/new');
  await page.getByLabel('Event').fill('badge polished');
  const option = page.getByRole('option', { name: /Badge polished/ });
  await expect(option).toBeVisible();
  await expect(option).toContainText('From your platform');
  await option.click();
  await expect(page.getByTestId('body-preview')).toContainText('"colour"');
  await expect(page.getByTestId('body-preview')).toContainText('BADGE_POLISHED');
  await shot(page, 'webhook-platform-event');
});
