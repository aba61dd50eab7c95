// Delivery log in a real browser: rows appear live, status filter, detail with the receiver's answer, Retry, bulk retry.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { E2E_API_KEY, SCREENSHOTS } from './config';

const ENROLLED = 'org.openedx.learning.course.enrollment.created.v1';
const auth = { authorization: `Bearer ${E2E_API_KEY}` };

type Answer = { status: number; body: string; type?: string };
let answers: Record<string, Answer>;
let server: http.Server;
let base = '';

test.beforeAll(async () => {
  answers = {
    '/ok': { status: 200, body: '{"received":true,"access_token":"tok-from-receiver"}', type: 'application/json' },
    '/flaky': { status: 410, body: 'gone for now' },
    '/filter': { status: 200, body: '{"data":{"form_data":{"country":"FR"}}}', type: 'application/json' },
  };
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answers[req.url ?? ''] ?? { status: 404, body: 'no such path' };
      res.writeHead(a.status, { 'content-type': a.type ?? 'text/plain' });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function createWebhook(request: APIRequestContext, path: string, description: string) {
  const res = await request.post('/api/v1/webhooks', {
    headers: auth,
    data: { description, event_type: ENROLLED, url: `${base}${path}` },
  });
  expect(res.status(), await res.text()).toBe(201);
}

async function postEvent(request: APIRequestContext) {
  const res = await request.post('/api/events', {
    headers: auth,
    data: {
      event_type: ENROLLED,
      data: {
        enrollment: {
          user: { id: 7, is_active: true, pii: { username: 'ada', email: 'ada@example.org', name: 'Ada', password: 'hunter2' } },
          course: { course_key: 'course-v1:edX+DemoX+Demo_Course', display_name: 'Demo' },
          mode: 'audit',
          is_active: true,
          creation_date: '2025-03-14T15:12:03Z',
        },
      },
      metadata: { id: randomUUID(), source: 'openedx/lms/web', sourcehost: 'lms.example.org' },
    },
  });
  expect(res.status(), await res.text()).toBe(202);
}

test('rows appear live, filter by status, detail shows the answer, Retry adds an attempt', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The app has no favicon yet; anything else logged as an error (hydration mismatch, failed fetch) counts.
  page.on('console', (m) => m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && errors.push(`${m.text()} ${m.location().url}`));
  await createWebhook(request, '/ok', 'Analytics');
  await createWebhook(request, '/flaky', 'CRM sync');
  const wf = await request.post('/api/v1/webfilters', {
    headers: auth,
    data: { description: 'Country check', filter_type: 'StudentRegistrationRequested', url: `${base}/filter` },
  });
  expect(wf.status(), await wf.text()).toBe(201);

  await page.goto('/deliveries');
  await expect(page.getByRole('heading', { name: 'Deliveries', exact: true })).toBeVisible();
  await expect(page.getByText(/Kept for 30 days/)).toBeVisible();

  // Posted while the page is open: the rows show up without a reload.
  for (let i = 0; i < 3; i++) await postEvent(request);
  const filterCall = await request.post('/api/filters', {
    headers: auth,
    data: {
      filter_type: 'org.openedx.learning.student.registration.requested.v1',
      data: { form_data: { username: 'mgarcia', email: 'maria@example.org', password: 'hunter2', country: 'ES' } },
    },
  });
  expect(filterCall.status()).toBe(200);
  const rows = page.getByTestId('delivery-row');
  await expect(rows).toHaveCount(7, { timeout: 20_000 });
  await expect(rows.filter({ hasText: 'failed' })).toHaveCount(3, { timeout: 20_000 });
  await expect(rows.filter({ hasText: 'succeeded' })).toHaveCount(4, { timeout: 20_000 });
  await expect(page.getByTestId('hourly-chart')).toContainText('Failed 3');
  await page.screenshot({ path: `${SCREENSHOTS}/deliveries.png`, fullPage: true });

  // Filtering by status narrows the list, and the filter lives in the URL.
  await page.getByLabel('Status').selectOption('failed');
  await expect(page).toHaveURL(/status=failed/);
  await expect(rows).toHaveCount(3);
  for (const row of await rows.all()) await expect(row.getByTestId('delivery-status')).toHaveText('failed');

  // The detail shows the receiver's answer, masked where it must be.
  await rows.first().getByTestId('delivery-link').click();
  await expect(page).toHaveURL(/\/deliveries\/\d+$/);
  const attempts = page.getByTestId('attempt');
  await expect(attempts).toHaveCount(1);
  await expect(attempts.first().getByTestId('attempt-status')).toHaveText('410');
  await expect(attempts.first().getByTestId('attempt-response-body')).toContainText('gone for now');
  await expect(page.getByTestId('request-body')).toContainText('"password": "********"');
  await expect(page.getByText('hunter2')).toHaveCount(0);

  // The receiver is fixed: Retry makes a second attempt of the same delivery, which succeeds.
  answers['/flaky'] = { status: 200, body: '{"thanks":true}', type: 'application/json' };
  await page.getByRole('button', { name: /Retry now/ }).click();
  await expect(attempts).toHaveCount(2, { timeout: 20_000 });
  await expect(attempts.nth(1).getByTestId('attempt-status')).toHaveText('200');
  await expect(attempts.nth(1).getByTestId('attempt-response-body')).toContainText('"thanks": true');
  await expect(page.getByTestId('delivery-header')).toContainText('succeeded');
  await expect(page.getByRole('status')).toHaveCount(0); // the toast, out of the screenshot
  await page.screenshot({ path: `${SCREENSHOTS}/delivery-detail.png`, fullPage: true });

  // Retry all failed deliveries matching the filters, with a count and a confirmation.
  await page.goto('/deliveries?status=failed');
  await expect(rows).toHaveCount(2);
  await page.getByRole('button', { name: /Retry failed/ }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Retry 2 failed webhook deliveries?');
  await dialog.getByRole('button', { name: 'Retry 2' }).click();
  await expect(page.getByRole('status').filter({ hasText: '2 failed webhook deliveries queued' })).toBeVisible();
  await page.goto('/deliveries?status=succeeded&kind=webhook');
  await expect(rows).toHaveCount(6, { timeout: 20_000 });

  // A webfilter call shows what it did and says it cannot be replayed.
  await page.goto('/deliveries?kind=webfilter');
  await expect(rows).toHaveCount(1);
  await rows.first().getByTestId('delivery-link').click();
  await expect(page.getByTestId('filter-outcome')).toContainText('applied');
  await expect(page.getByTestId('filter-outcome')).toContainText('"country": "FR"');
  await expect(page.getByText('cannot be replayed')).toBeVisible();
  await expect(page.getByRole('button', { name: /Retry now/ })).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/delivery-webfilter.png`, fullPage: true });

  // Phone width.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/deliveries');
  await expect(rows).toHaveCount(7);
  await page.screenshot({ path: `${SCREENSHOTS}/deliveries-phone.png`, fullPage: true });
  await rows.first().getByTestId('delivery-link').click();
  await expect(page.getByTestId('attempt').first()).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/delivery-detail-phone.png`, fullPage: true });
  expect(errors, 'no hydration or script errors').toEqual([]);
});
