// What the webhook and webfilter specs share: a fresh sign-in per test, a loopback receiver, full-page screenshots.
import http from 'node:http';
import { test, type Page } from '@playwright/test';
import { ADMIN, SCREENSHOTS } from './config';

/** Signs in before each test rather than trust the shared storage-state file, which another run may have overwritten. */
export function signInEachTest() {
  test.use({ storageState: { cookies: [], origins: [] } });
  test.beforeEach(async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  });
}

export interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A loopback HTTP server for the spec's tests: keeps every request, answers each with answer(hits so far). */
export function loopbackReceiver(path: string, answer: (hits: Hit[]) => Answer) {
  const rx = { url: '', hits: [] as Hit[] };
  let server: http.Server;
  test.beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        rx.hits.push({ headers: req.headers, body });
        const a = answer(rx.hits);
        res.writeHead(a.status, a.headers);
        res.end(a.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    rx.url = `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`;
  });
  test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return rx;
}

export async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}
