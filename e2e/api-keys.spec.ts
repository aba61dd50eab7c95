// API keys page: create (token shown once), use it, revoke it.
import { expect, test } from '@playwright/test';
import { SCREENSHOTS } from './config';

test('create an API key, see the token once, revoke it', async ({ page, request }) => {
  await page.goto('/api-keys');
  await page.getByLabel('Name').fill('LMS staging');
  await page.getByRole('button', { name: 'Create key' }).click();
  const token = (await page.getByTestId('token-value').textContent())!.trim();
  expect(token).toMatch(/^oewh_/);
  await page.screenshot({ path: `${SCREENSHOTS}/api-keys.png`, fullPage: true });

  const health = await request.get('/api/v1/catalog/events', { headers: { authorization: `Bearer ${token}` } });
  expect(health.status()).toBe(403); // no admin scope

  await page.reload();
  await expect(page.getByTestId('token-value')).toHaveCount(0);
  const row = page.getByTestId('api-key-row').filter({ hasText: 'LMS staging' });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await expect(row.getByText('revoked', { exact: true })).toBeVisible();
});
