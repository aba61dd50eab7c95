// API reference page (SPEC §11): the OpenAPI document rendered by Scalar inside the admin app, and the
// "metrics" scope offered when creating an API key.
import { expect, test } from '@playwright/test';
import { SCREENSHOTS } from './config';

test('the API reference lists the LMS, management and operations routes', async ({ page }) => {
  const failed: string[] = [];
  page.on('pageerror', (err) => failed.push(err.message));
  await page.goto('/webhooks');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API reference' }).click();
  await expect(page).toHaveURL(/\/api-reference$/);
  await expect(page.getByRole('heading', { name: 'API reference', level: 1 })).toBeVisible();
  // Rendered from /api/openapi.json by the Scalar component.
  await expect(page.getByText('Send an Open edX event').first()).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Open Group - Operations' }).click();
  await expect(page.getByText('Prometheus metrics').first()).toBeVisible();
  await page.getByRole('button', { name: 'Open Group - Management' }).click();
  await expect(page.getByText('Create a webhook').first()).toBeVisible();
  // Self-hosted: no AI agent and no "open in the hosted client" link carrying the document's address away
  // (the "Powered by Scalar" credit stays).
  await expect(page.getByRole('button', { name: 'Ask AI' })).toHaveCount(0);
  await expect(page.locator('a[href*="client.scalar.com"]')).toHaveCount(0);
  await page.screenshot({ path: `${SCREENSHOTS}/api-reference.png` });
  expect(failed).toEqual([]);
});

test('an API key can be given the metrics scope', async ({ page, request }) => {
  await page.goto('/api-keys');
  await page.getByLabel('Name').fill('Prometheus');
  const metrics = page.getByRole('checkbox', { name: /metrics/ });
  await expect(metrics).not.toBeChecked();
  await page.getByRole('checkbox', { name: /^events/ }).uncheck();
  await page.getByRole('checkbox', { name: /^filters/ }).uncheck();
  await metrics.check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const token = (await page.getByTestId('token-value').textContent())!.trim();
  const scrape = await request.get('/api/metrics', { headers: { authorization: `Bearer ${token}` } });
  expect(scrape.status()).toBe(200);
  expect(await scrape.text()).toContain('openedx_webhooks_queue_pending');
  const events = await request.post('/api/events', { headers: { authorization: `Bearer ${token}` }, data: {} });
  expect(events.status()).toBe(403);
});
