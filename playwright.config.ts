import { defineConfig } from '@playwright/test';
import { BASE_URL, E2E_PORT, STORAGE_STATE } from './e2e/config';

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    },
  },
  projects: [
    // The first-run flow creates the admin the other specs sign in as.
    { name: 'first-run', testMatch: /first-run\.setup\.ts/ },
    {
      name: 'app',
      testMatch: /.*\.spec\.ts/,
      testIgnore: /(a11y|keyboard)\.spec\.ts/,
      dependencies: ['first-run'],
      use: { storageState: STORAGE_STATE, viewport: { width: 1280, height: 800 } },
    },
    // Accessibility and keyboard-only flows run after the app specs (same phase, later project): they make
    // deliveries and a connection, which the app specs count from an empty log.
    {
      name: 'a11y',
      testMatch: /(a11y|keyboard)\.spec\.ts/,
      dependencies: ['first-run'],
      use: { storageState: STORAGE_STATE, viewport: { width: 1280, height: 800 } },
    },
  ],
  webServer: {
    command: 'node e2e/server.mjs',
    url: `${BASE_URL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    // One JSON line per request would bury Playwright's own output: warnings and errors only, unless asked.
    env: { E2E_PORT: String(E2E_PORT), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  },
});
