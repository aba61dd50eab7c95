// First run on a fresh data dir: every page leads to setup; creating the admin shows the shell.
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe';
import { ADMIN, SCREENSHOTS, STORAGE_STATE } from './config';

test('first-run page creates the admin and shows the shell', async ({ page }) => {
  await page.goto('/webhooks');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Create the first admin' })).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOTS}/setup.png`, fullPage: true });
  await expectAccessible(page, 'first-run');

  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').fill('short');
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(page.getByText('Use at least 10 characters.')).toBeVisible();
  await expectAccessible(page, 'first-run with validation errors');

  await page.getByLabel('Name').fill('Ada Admin');
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Confirm password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();

  await expect(page).toHaveURL(/\/webhooks$/);
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const item of ['Webhooks', 'Webfilters', 'Deliveries', 'API keys']) {
    await expect(nav.getByRole('link', { name: item })).toBeVisible();
  }
  await expect(page.getByTestId('signed-in-admin')).toHaveText(ADMIN.email);
  await page.context().storageState({ path: STORAGE_STATE });

  // Setup is closed once an admin exists.
  await page.goto('/setup');
  await expect(page).toHaveURL(/\/(login|webhooks)$/);
});
