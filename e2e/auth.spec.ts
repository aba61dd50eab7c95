// Sign-in, sign-out and the anonymous redirect, in a real browser against the built app.
import { expect, test } from '@playwright/test';
import { ADMIN, SCREENSHOTS } from './config';

test.describe('anonymous', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('an anonymous visit to /webhooks lands on sign-in', async ({ page }) => {
    await page.goto('/webhooks');
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await page.screenshot({ path: `${SCREENSHOTS}/login.png`, fullPage: true });
  });

  test('a wrong password shows a message', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password.' })).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
  });

  test('signing in leads back to the page asked for', async ({ page }) => {
    await page.goto('/deliveries');
    await expect(page).toHaveURL(/\/login/);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/deliveries$/);
  });
});

test('sign-out ends the session', async ({ browser }) => {
  // A session of its own, so signing out does not end the one the other specs share.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/api-keys');
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});
