// Settings shared by the Playwright config, the e2e server and the specs.
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const E2E_API_KEY = 'e2e-initial-key-0123456789abcdef';
export const ADMIN = { email: 'admin@example.org', password: 'correct horse battery' };
export const STORAGE_STATE = 'e2e/.auth/admin.json';
export const SCREENSHOTS = 'e2e/screenshots';
