// Access control (SPEC §6, §7, §10), enumerated from the app's own route tree so a new page, route or server
// action cannot be missed: anonymous visitors are sent to /login, management routes answer 401, LMS routes
// 401; keys reach only their scopes; every server action checks the session and the role first (its source,
// and a live call of each through the BUILT server with a forged session cookie, which must change nothing).
// Then the role matrix: a viewer, an editor and an owner, each signed in for real, get exactly the pages,
// routes and server actions the tables below give them, and a refused action changes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../lib/auth/api-keys';
import { createUser } from '../../lib/team/users';
import type { Role } from '../../lib/auth/roles';
import { freshPostgres, type TestPostgres } from '../helpers/db';
import { signInCookie } from '../helpers/session';
import { DIST_DIR, startServer, type TestServer } from '../helpers/server';
import { call, printTable, startFaultReceiver, until, type FaultReceiver } from '../reliability/support';

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = path.join(ROOT, 'app');
const ADMIN = { email: 'admin@example.org', password: 'correct horse battery staple' };
const ENROLLMENT = 'org.openedx.learning.course.enrollment.created.v1';
const REGISTRATION = 'org.openedx.learning.student.registration.requested.v1';
const UNKNOWN_UUID = '6f1c2b1e-9c1d-4a55-8c1b-2f0e5d7a9b11';
const MARKER = 'access-test-marker-7f3a';
const TEAM: Record<Role, string> = { owner: ADMIN.email, editor: 'editor@example.org', viewer: 'viewer@example.org' };
/** Actions meant for visitors without a session, and why that is safe. */
const PUBLIC_ACTIONS: Record<string, string> = {
  'app/(auth)/login/actions.ts#login': 'signs in: checks the credentials itself',
  'app/(auth)/setup/actions.ts#setup': 'first run: creates an admin only while none exists',
  'app/(admin)/actions.ts#logout': 'signs out: nothing to protect',
  'app/(auth)/login/actions.ts#loginWithOpenedx': 'starts the Open edX sign-in: who enters is decided when the LMS sends the visitor back',
  'app/(auth)/invite/[token]/actions.ts#acceptInvitationAction': 'joins with an invitation: checks the token itself (valid once, 7 days)',
  'app/(auth)/login/actions.ts#joinWithOpenedx': 'starts the Open edX sign-in from an invitation: the token is checked here and again when the LMS sends the visitor back',
};

// ---- the role matrix (SPEC §10): the least role each page, action and route needs ----------------------
const RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };
const PAGE_ROLES: Record<string, Role> = {
  '/webhooks': 'viewer',
  '/webhooks/new': 'editor',
  '/webhooks/[id]': 'viewer',
  '/webfilters': 'viewer',
  '/webfilters/health': 'viewer',
  '/webfilters/new': 'editor',
  '/webfilters/[id]': 'viewer',
  '/deliveries': 'viewer',
  '/deliveries/[id]': 'viewer',
  '/connections': 'viewer',
  '/not-allowed': 'viewer',
  '/api-reference': 'viewer',
  '/import': 'editor',
  '/api-keys': 'owner',
  '/users': 'owner',
  '/audit': 'owner',
  '/retirements': 'owner',
};
const ACTION_ROLES: Record<string, Role> = {
  linkOpenedxAction: 'viewer',
  previewWebhookAction: 'viewer',
  previewWebfilterAction: 'viewer',
  createWebhookAction: 'editor',
  updateWebhookAction: 'editor',
  deleteWebhookAction: 'editor',
  rotateWebhookSecretAction: 'editor',
  revealWebhookSecretAction: 'editor',
  testWebhookAction: 'editor',
  runTransformationAction: 'editor',
  createWebfilterAction: 'editor',
  updateWebfilterAction: 'editor',
  deleteWebfilterAction: 'editor',
  moveWebfilterAction: 'editor',
  testWebfilterAction: 'editor',
  saveFilterPolicyAction: 'editor',
  previewRetirementAction: 'owner',
  retireLearnerAction: 'owner',
  retryDeliveryAction: 'editor',
  retryFailedAction: 'editor',
  countFailedAction: 'editor',
  previewImportAction: 'editor',
  runImportAction: 'editor',
  replayWebhookAction: 'editor',
  createApiKeyAction: 'owner',
  revokeApiKeyAction: 'owner',
  inviteUserAction: 'owner',
  changeRoleAction: 'owner',
  removeUserAction: 'owner',
};
/** Management routes: reads for every role, changes for editors, the team and its log for owners. */
function routeRole(url: string, method: string): Role {
  if (/^\/api\/v1\/(users|invitations|audit|retirements)(\/|$)/.test(url)) return 'owner';
  return method === 'GET' ? 'viewer' : 'editor';
}

// ---- the route tree ------------------------------------------------------------------------------------
function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}
const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join('/');
const sourceFiles = ['app', 'components', 'lib'].flatMap((d) => walk(path.join(ROOT, d))).filter((f) => /\.(tsx?|jsx?)$/.test(f));
const appFiles = walk(APP);

/** URL of a page.tsx or route.ts: route groups dropped, [param] kept as a placeholder. */
function urlOf(file: string): string {
  const segs = path.relative(APP, path.dirname(file)).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s));
  return '/' + segs.join('/');
}

const pages = appFiles.filter((f) => /\/page\.(tsx|ts|jsx|js)$/.test(f)).map((f) => ({ file: rel(f), url: urlOf(f) }));
const routes = appFiles
  .filter((f) => /\/route\.(ts|js)$/.test(f))
  .map((f) => {
    const src = fs.readFileSync(f, 'utf8');
    const methods = new Set<string>();
    for (const m of src.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)) methods.add(m[1]!);
    for (const m of src.matchAll(/export\s+const\s*\{([^}]*)\}/g)) {
      for (const name of m[1]!.split(',').map((s) => s.trim())) if (/^(GET|POST|PUT|PATCH|DELETE)$/.test(name)) methods.add(name);
    }
    return { file: rel(f), url: urlOf(f), src, methods: [...methods] };
  });

type RouteClass = 'admin' | 'events' | 'filters' | 'relay' | 'health' | 'auth' | 'metrics' | 'openapi';
/** The relay's own routes (SPEC §8): a key with the "events" or the "filters" scope. */
const RELAY_ROUTES = ['/api/v1/routing', '/api/v1/catalog/platform'];
/** Management routes that also take a key of another scope (SPEC §13: the relay's "events" key retires learners). */
const ALSO_SCOPES: Record<string, string[]> = { 'POST /api/v1/retirements': ['events'] };

function classify(url: string): RouteClass | null {
  if (RELAY_ROUTES.includes(url)) return 'relay';
  if (url.startsWith('/api/v1/')) return 'admin';
  if (url === '/api/events') return 'events';
  if (url === '/api/filters' || url.startsWith('/api/filters/')) return 'filters';
  if (url === '/api/health') return 'health';
  // SPEC §11: Prometheus metrics need a key with the "metrics" scope or METRICS_TOKEN; the OpenAPI document is public.
  if (url === '/api/metrics') return 'metrics';
  if (url === '/api/openapi.json') return 'openapi';
  if (url.startsWith('/api/auth/')) return 'auth';
  return null;
}
type PageClass = 'admin' | 'public' | 'root';
function classifyPage(file: string): PageClass | null {
  if (file === 'app/page.tsx') return 'root';
  if (file.startsWith('app/(auth)/')) return 'public';
  if (file.startsWith('app/(admin)/')) return 'admin';
  return null;
}

interface Action {
  file: string;
  name: string;
  /** The first `await` in its body. */
  firstAwait: string | null;
  guardBeforeDb: boolean;
  /** The role its guard asks for. */
  role: string | null;
}
const isServerModule = (src: string) => /^\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/\s*)*\s*['"]use server['"]/.test(src);
const actionModules = sourceFiles.filter((f) => isServerModule(fs.readFileSync(f, 'utf8')));
const inlineServer = sourceFiles.filter((f) => {
  const src = fs.readFileSync(f, 'utf8');
  return !isServerModule(src) && /['"]use server['"]/.test(src);
});
const actions: Action[] = actionModules.flatMap((f) => {
  const src = fs.readFileSync(f, 'utf8');
  const starts = [...src.matchAll(/export\s+(?:async\s+function\s+(\w+)|const\s+(\w+)\s*=\s*async\b)/g)];
  return starts.map((m, i) => {
    const body = src.slice(m.index!, starts[i + 1]?.index ?? src.length);
    const firstAwait = body.match(/await\s+([\w.]+\([^)]*\))/)?.[1] ?? null;
    const guard = body.search(/requireAdminAction\('(viewer|editor|owner)'\)/);
    const db = body.search(/getDb\(|\.db\b|signIn\(|send\(/);
    const role = /requireAdminAction\('(\w+)'\)/.exec(body)?.[1] ?? null;
    return { file: rel(f), name: (m[1] ?? m[2])!, firstAwait, guardBeforeDb: guard >= 0 && (db < 0 || guard < db), role };
  });
});

// ---- the live server -----------------------------------------------------------------------------------
let pg: TestPostgres;
let server: TestServer;
let receiver: FaultReceiver;
const keys = { events: '', filters: '', admin: '', metrics: '', revoked: '' };
const METRICS_TOKEN = 'metrics-token-for-the-access-test-0123456789';
const ids = { webhook: '', webfilter: '', delivery: '', eventsKey: '', owner: '' };
let secret = '';
const summary: (string | number)[][] = [['what', 'found in app/', 'checked live', 'refused']];

/** Everything an action could change, as one digest per table (key use times left out). */
async function digest() {
  const q = (table: string, cols = `t::text`) => sql.raw(`select coalesce(md5(string_agg(${cols}, ',' order by ${cols})), '-') as d from ${table} t`);
  const out: Record<string, string> = {};
  for (const [name, query] of Object.entries({
    users: q('users'),
    api_keys: q('api_keys', `(t.id, t.name, t.scopes, t.revoked_at)::text`),
    webhooks: q('webhooks'),
    webfilters: q('webfilters'),
    events: q('events'),
    deliveries: q('deliveries', `(t.id, t.status, t.attempt_count, t.next_attempt_at, t.locked_until)::text`),
    delivery_attempts: q('delivery_attempts'),
    platforms: q('platforms'),
    platform_activity: q('platform_activity'),
    invitations: q('invitations'),
    audit_log: q('audit_log'),
  })) {
    const [r] = await pg.handle.rows<{ d: string }>(query);
    out[name] = r!.d;
  }
  return out;
}

beforeAll(async () => {
  pg = await freshPostgres({ max: 2 });
  const { db } = pg.handle;
  const events = await createApiKey(db, { name: 'events', scopes: ['events'] });
  keys.events = events.token;
  ids.eventsKey = events.key.id;
  keys.filters = (await createApiKey(db, { name: 'filters', scopes: ['filters'] })).token;
  keys.admin = (await createApiKey(db, { name: 'admin', scopes: ['admin'] })).token;
  keys.metrics = (await createApiKey(db, { name: 'metrics', scopes: ['metrics'] })).token;
  const revoked = await createApiKey(db, { name: 'revoked', scopes: ['events', 'filters', 'admin', 'metrics'] });
  await revokeApiKey(db, revoked.key.id);
  keys.revoked = revoked.token;
  receiver = await startFaultReceiver({ kind: 'status', status: 500, failFirst: Infinity });
  server = await startServer({
    databaseUrl: pg.url,
    env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ALLOW_PRIVATE_TARGETS: '1', RETRY_SCHEDULE: '', METRICS_TOKEN },
  });
  // Data a leak would show: a webhook and webfilter with a marker, and a failed delivery.
  const hook = await call(server.url, 'POST', '/api/v1/webhooks', { key: keys.admin, body: { event_type: ENROLLMENT, url: receiver.url, description: MARKER } });
  expect(hook.status, hook.text).toBe(201);
  ids.webhook = String(hook.json!.id);
  secret = String(hook.json!.secret);
  const filter = await call(server.url, 'POST', '/api/v1/webfilters', { key: keys.admin, body: { filter_type: REGISTRATION, url: receiver.url, description: MARKER } });
  expect(filter.status, filter.text).toBe(201);
  ids.webfilter = String(filter.json!.id);
  const ev = await call(server.url, 'POST', '/api/events', { key: keys.events, body: { event_type: ENROLLMENT, data: { enrollment: {} } } });
  expect(ev.status, ev.text).toBe(202);
  // The receiver answers 500: with the default schedule the delivery waits 5 s, then 5 min; mark it failed.
  await until(async () => {
    const [r] = await pg.handle.rows<{ n: number }>(sql`select count(*)::int as n from deliveries where attempt_count = 1 and locked_until is null`);
    return r!.n === 1;
  }, 20_000, 'the first attempt to be recorded');
  const [d] = await pg.handle.rows<{ id: number }>(sql`update deliveries set status = 'failed', next_attempt_at = null, completed_at = now() where kind = 'webhook' returning id`);
  ids.delivery = String(d!.id);
  receiver.hits.length = 0;
  // The team of the role matrix: ADMIN_EMAIL is the owner; a viewer and an editor join it.
  const [owner] = await pg.handle.rows<{ id: string; role: string }>(sql`select id, role from users where email = ${ADMIN.email}`);
  expect(owner!.role).toBe('owner');
  ids.owner = owner!.id;
  for (const role of ['viewer', 'editor'] as const) {
    const made = await createUser(pg.handle, { email: TEAM[role], role, password: ADMIN.password });
    expect(made.ok).toBe(true);
  }
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await pg?.drop();
  if (summary.length > 1) printTable('Access: anonymous and wrongly scoped callers are refused everywhere', summary);
});

const withParams = (url: string, kind: 'real' | 'unknown') =>
  url.replace(/\[(\w+)\]/g, (_, name: string) => {
    if (kind === 'unknown') return url.startsWith('/api/v1/deliveries') || url.startsWith('/deliveries') ? '987654' : UNKNOWN_UUID;
    if (url.startsWith('/webhooks') || url.startsWith('/api/v1/webhooks')) return ids.webhook;
    if (url.startsWith('/webfilters') || url.startsWith('/api/v1/webfilters')) return ids.webfilter;
    if (url.startsWith('/deliveries') || url.startsWith('/api/v1/deliveries')) return ids.delivery;
    if (url.startsWith('/api/v1/users')) return ids.owner;
    return name;
  }).replace(/\[\.\.\.(\w+)\]/g, 'session');

/** Arguments each server action is called with: what a forged call would try to change. */
function actionArgs(): Record<string, unknown[]> {
  const values = { description: MARKER, event_type: ENROLLMENT, url: receiver.url, enabled: true, use_www_form_encoding: false };
  const filterValues = { description: MARKER, filter_type: REGISTRATION, url: receiver.url, enabled: true };
  // An openedx-webhooks dumpdata file that would create a webhook and a webfilter.
  const importFile = JSON.stringify([
    { model: 'openedx_webhooks.webhook', pk: 1, fields: { event: 'COURSE_ENROLLMENT_CREATED', webhook_url: 'https://attacker.example/i', enabled: true, use_www_form_encoding: false } },
    { model: 'openedx_webhooks.webfilter', pk: 1, fields: { description: MARKER, event: 'StudentLoginRequested', webhook_url: 'https://attacker.example/j' } },
  ]);
  return {
    createWebhookAction: [values],
    updateWebhookAction: [ids.webhook, { ...values, url: 'https://attacker.example/h' }],
    deleteWebhookAction: [ids.webhook],
    rotateWebhookSecretAction: [ids.webhook],
    revealWebhookSecretAction: [ids.webhook],
    testWebhookAction: [ids.webhook, values],
    previewWebhookAction: [ENROLLMENT],
    runTransformationAction: [{ source: 'function handler(w) { return w; }', event_type: ENROLLMENT }],
    createWebfilterAction: [filterValues],
    updateWebfilterAction: [ids.webfilter, { ...filterValues, url: 'https://attacker.example/f' }],
    deleteWebfilterAction: [ids.webfilter],
    moveWebfilterAction: [ids.webfilter, 'down'],
    testWebfilterAction: [ids.webfilter, filterValues],
    previewWebfilterAction: [REGISTRATION],
    retryDeliveryAction: [ids.delivery],
    retryFailedAction: [{}],
    countFailedAction: [{}],
    revokeApiKeyAction: [ids.eventsKey],
    previewImportAction: [importFile],
    runImportAction: [importFile],
    changeRoleAction: [ids.owner, 'viewer'],
    removeUserAction: [ids.owner],
    linkOpenedxAction: [],
    saveFilterPolicyAction: [REGISTRATION, { timeout_ms: 100, on_unreachable: 'halt' }],
    previewRetirementAction: [{ email: 'nobody@example.org' }],
    retireLearnerAction: [{ email: 'nobody@example.org' }],
  };
}

const FORM_ACTIONS = new Set(['createApiKeyAction', 'inviteUserAction']);

/** Posts a server action as its page's client would, with the given cookie. */
async function postAction(b: { id: string; name: string }, pageUrl: string, cookie: string, extraHeaders: Record<string, string> = {}) {
  let body: BodyInit;
  const headers: Record<string, string> = { 'next-action': b.id, accept: 'text/x-component', cookie, ...extraHeaders };
  if (FORM_ACTIONS.has(b.name)) {
    const form = new FormData();
    form.append('_1_name', MARKER);
    form.append('_1_scopes', 'admin');
    form.append('_1_email', 'intruder@example.org');
    form.append('_1_role', 'owner');
    form.append('0', JSON.stringify([{}, '$K1']));
    body = form;
  } else {
    body = JSON.stringify(actionArgs()[b.name] ?? []);
    headers['content-type'] = 'text/plain;charset=UTF-8';
  }
  const res = await fetch(`${server.url}${pageUrl}`, { method: 'POST', headers, body, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

function builtActions() {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, DIST_DIR, 'server', 'server-reference-manifest.json'), 'utf8')).node as Record<
    string,
    { workers: Record<string, unknown>; filename: string; exportedName: string }
  >;
  return Object.entries(manifest).map(([id, v]) => ({ id, file: v.filename, name: v.exportedName, page: Object.keys(v.workers)[0]! }));
}

/** The page an action belongs to: app/(admin)/webhooks/[id]/page → /webhooks/<id>. */
const pageOf = (b: { page: string }) => withParams(urlOf(path.join(ROOT, b.page.replace(/\/page$/, '/page.tsx'))), 'real');

describe('the route tree (static)', () => {
  it('every page, route and server action is known to this test', () => {
    expect(pages.length).toBeGreaterThan(5);
    expect(routes.length).toBeGreaterThan(5);
    expect(pages.filter((p) => !classifyPage(p.file)).map((p) => p.file), 'pages outside (admin)/(auth): classify them here').toEqual([]);
    expect(routes.filter((r) => !classify(r.url)).map((r) => r.file), 'routes of an unknown kind: classify them here').toEqual([]);
    expect(routes.filter((r) => r.methods.length === 0).map((r) => r.file), 'routes whose methods were not found').toEqual([]);
    expect(inlineServer.map(rel), "inline 'use server' functions: check their session and list them here").toEqual([]);
  });

  it('each route is wrapped by the guard of its kind', () => {
    const wrong: string[] = [];
    for (const r of routes) {
      const kind = classify(r.url)!;
      for (const m of r.methods) {
        const guard = {
          admin: new RegExp(`export const ${m} = withAdmin\\(`),
          // countedEvents/countedFilters (lib/metrics/lms-routes.ts) only count the answer, after the guard has run.
          events: new RegExp(`export const ${m} = (?:countedEvents\\()?withApiKey\\('events'`),
          filters: new RegExp(`export const ${m} = (?:countedFilters\\()?withApiKey\\('filters'`),
          relay: new RegExp(`export const ${m} = withRelayKey\\(`),
          health: /./,
          auth: /export const \{[^}]*\} = handlers/,
          // The token is compared first; without it, the one key guard with the "metrics" scope, before any scrape.
          metrics: /if \(!isMetricsToken\(bearerToken\(req\), e\.METRICS_TOKEN\)\) \{\s*const check = await checkApiKey\(req, 'metrics'\);\s*if \(!check\.ok\) return check\.response;\s*\}\s*const \{ text, contentType \} = await scrapeMetrics\(/,
          // Public documentation: it reads neither the database nor a session.
          openapi: { test: (src: string) => !/getDb|requireAdmin|auth\(|cookies\(|headers\(/.test(src) },
        }[kind];
        if (!guard.test(r.src)) wrong.push(`${m} ${r.url} (${r.file}) is not wrapped for "${kind}"`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("every exported server action calls requireAdminAction('<its role>') before anything else", () => {
    expect(actions.length).toBeGreaterThan(5);
    const wrong = actions
      .filter((a) => !PUBLIC_ACTIONS[`${a.file}#${a.name}`])
      .filter((a) => a.firstAwait !== `requireAdminAction('${ACTION_ROLES[a.name]}')` || !a.guardBeforeDb)
      .map((a) => `${a.file}#${a.name}: first await is ${a.firstAwait}, the matrix says ${ACTION_ROLES[a.name] ?? '(not in ACTION_ROLES)'}`);
    expect(wrong).toEqual([]);
    // Every page of the admin app is in the matrix, and the matrix names no page that is gone.
    const adminPages = pages.filter((p) => classifyPage(p.file) === 'admin').map((p) => p.url).sort();
    expect(adminPages).toEqual(Object.keys(PAGE_ROLES).sort());
    // Each admin page asks for its role: requireAdminPage('<role>'), or nothing for a viewer.
    for (const p of pages.filter((x) => classifyPage(x.file) === 'admin')) {
      const src = fs.readFileSync(path.join(ROOT, p.file), 'utf8');
      const asked = /requireAdminPage\(\s*'(\w+)'\s*\)/.exec(src)?.[1] ?? (/requireAdminPage\(\s*\)/.test(src) ? 'viewer' : null);
      expect(asked, p.file).toBe(PAGE_ROLES[p.url]);
    }
    // Routes that name a role name the one the matrix gives.
    for (const r of routes.filter((x) => classify(x.url) === 'admin')) {
      const named = [...r.src.matchAll(/\}, '(viewer|editor|owner)'\);/g)].map((m) => m[1]);
      for (const role of named) expect(role, r.file).toBe(routeRole(r.url, 'POST'));
    }
    // The public list names real actions (a renamed one must be looked at again).
    for (const key of Object.keys(PUBLIC_ACTIONS)) expect(actions.some((a) => `${a.file}#${a.name}` === key), key).toBe(true);
  });
});

describe('the built server refuses anonymous and wrongly scoped callers (PostgreSQL)', () => {
  it('admin pages redirect to /login, with no cookie and with a forged session cookie, showing no data', async () => {
    let refused = 0;
    const admin = pages.filter((p) => classifyPage(p.file) !== 'public');
    for (const p of admin) {
      const url = withParams(p.url, 'real');
      for (const cookie of ['', 'authjs.session-token=forged.jwt.value']) {
        const res = await call(server.url, 'GET', url, { headers: { cookie } });
        const where = `${url} (${cookie ? 'forged cookie' : 'anonymous'})`;
        expect([302, 303, 307, 308], `${where}: ${res.status}`).toContain(res.status);
        // "/" sends everyone to the webhooks list, which is itself refused above.
        const target = classifyPage(p.file) === 'root' ? /^(https?:\/\/[^/]+)?\/(login|webhooks)(\?|$)/ : /^(https?:\/\/[^/]+)?\/login(\?|$)/;
        expect(res.headers.get('location') ?? '', where).toMatch(target);
        expect(res.text, where).not.toContain(MARKER);
        expect(res.text, where).not.toContain(secret);
        refused++;
      }
    }
    for (const p of pages.filter((x) => classifyPage(x.file) === 'public')) {
      const res = await call(server.url, 'GET', p.url);
      expect(res.status, p.url).toBeLessThan(500);
      expect(res.text).not.toContain(MARKER);
    }
    summary.push(['admin pages (+ /)', admin.length, admin.length * 2, refused]);
  });

  it('each route × method answers 401 without a key, 403 with a key of another scope, 401 when revoked', async () => {
    const before = await digest();
    const problems: string[] = [];
    let checked = 0;
    let refusedCount = 0;
    for (const r of routes) {
      const kind = classify(r.url)!;
      for (const method of r.methods) {
        const url = withParams(r.url, 'unknown');
        const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
        const expectStatus = async (label: string, opts: Parameters<typeof call>[3], allowed: number[]) => {
          const res = await call(server.url, method, url, { ...opts, body });
          checked++;
          if (!allowed.includes(res.status)) problems.push(`${method} ${url} ${label}: ${res.status} ${res.text.slice(0, 120)}`);
          else if (allowed.every((s) => s === 401 || s === 403)) refusedCount++;
          return res;
        };
        const scoped = { events: keys.events, filters: keys.filters, admin: keys.admin, metrics: keys.metrics };
        if (kind === 'admin' || kind === 'events' || kind === 'filters' || kind === 'relay') {
          await expectStatus('without a key', {}, [401]);
          await expectStatus('with a forged session cookie', { headers: { cookie: 'authjs.session-token=forged' } }, [401]);
          await expectStatus('with a revoked key', { key: keys.revoked }, [401]);
          await expectStatus('with a malformed Authorization', { headers: { authorization: 'Token abc' } }, [401]);
          for (const [scope, token] of Object.entries(scoped)) {
            if (scope === kind || (kind === 'relay' && (scope === 'events' || scope === 'filters')) || ALSO_SCOPES[`${method} ${r.url}`]?.includes(scope)) {
              // The right key gets past the guard (the empty body or unknown id is then refused on its merits).
              const res = await call(server.url, method, url, { key: token, body });
              checked++;
              if (res.status === 401 || res.status === 403 || res.status >= 500) problems.push(`${method} ${url} with its own "${scope}" key: ${res.status}`);
            } else {
              await expectStatus(`with a "${scope}" key`, { key: token }, [403]);
            }
          }
        } else if (kind === 'metrics') {
          for (const [label, opts] of [
            ['without a key', {}],
            ['with a forged session cookie', { headers: { cookie: 'authjs.session-token=forged' } }],
            ['with a revoked key', { key: keys.revoked }],
            ['with a malformed Authorization', { headers: { authorization: 'Token abc' } }],
            ['with a wrong METRICS_TOKEN', { key: METRICS_TOKEN + 'x' }],
          ] as const) {
            await expectStatus(label, opts, [401]);
          }
          for (const scope of ['events', 'filters', 'admin'] as const) await expectStatus(`with a "${scope}" key`, { key: keys[scope] }, [403]);
          for (const [label, token] of [['its own "metrics" key', keys.metrics], ['METRICS_TOKEN', METRICS_TOKEN]] as const) {
            const res = await call(server.url, method, url, { key: token });
            checked++;
            if (res.status !== 200 || !/^# HELP /m.test(res.text)) problems.push(`${method} ${url} with ${label}: ${res.status} ${res.text.slice(0, 120)}`);
          }
        } else if (kind === 'openapi') {
          // Read-only documentation, public: it names the routes, never the data.
          const res = await expectStatus('the OpenAPI document, anonymous', {}, [200]);
          if (!res.json?.openapi || res.text.includes(MARKER) || res.text.includes(secret)) problems.push(`${method} ${url}: not a clean OpenAPI document`);
        } else if (kind === 'health') {
          await expectStatus('health, anonymous', {}, method === 'GET' ? [200] : [405]);
        } else if (kind === 'auth') {
          const res = await call(server.url, 'GET', '/api/auth/session');
          checked++;
          if (res.status !== 200 || (res.json && Object.keys(res.json).length > 0 && res.json.user)) problems.push(`GET /api/auth/session anonymous: ${res.status} ${res.text}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await digest()).toEqual(before);
    summary.push(['API route × method × caller', routes.reduce((n, r) => n + r.methods.length, 0), checked, refusedCount]);
  });

  it('every server action refuses a caller without a valid session, and changes nothing', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, DIST_DIR, 'server', 'server-reference-manifest.json'), 'utf8')).node as Record<
      string,
      { workers: Record<string, unknown>; filename: string; exportedName: string }
    >;
    const built = Object.entries(manifest).map(([id, v]) => ({ id, file: v.filename, name: v.exportedName, page: Object.keys(v.workers)[0]! }));
    // What the build serves and what the source declares are the same set of actions.
    const declared = new Set(actions.map((a) => `${a.file}#${a.name}`));
    expect(built.filter((b) => !declared.has(`${b.file}#${b.name}`)).map((b) => `${b.file}#${b.name}`)).toEqual([]);

    const argsFor = actionArgs();
    const before = await digest();
    const guardLines = () => (server.output().match(/Your session has ended/g) ?? []).length;
    const problems: string[] = [];
    let refused = 0;
    const live = built.filter((b) => !PUBLIC_ACTIONS[`${b.file}#${b.name}`]);
    for (const b of live) {
      // The page the action belongs to: app/(admin)/webhooks/[id]/page → /webhooks/<id>.
      const pageUrl = withParams(urlOf(path.join(ROOT, b.page.replace(/\/page$/, '/page.tsx'))), 'real');
      const guardsBefore = guardLines();
      const { status, text } = await postAction(b, pageUrl, 'authjs.session-token=forged.jwt.value');
      const res = { status };
      const where = `${b.name} via ${pageUrl}`;
      if (res.status < 400) problems.push(`${where}: answered ${res.status}`);
      for (const leak of [secret, 'event_metadata', '"count"', '"token"']) if (text.includes(leak)) problems.push(`${where}: the answer holds ${leak}`);
      const logged = await until(() => guardLines() > guardsBefore, 5000, `${where} to be refused by requireAdminAction`).catch(() => false);
      if (!logged) problems.push(`${where}: requireAdminAction did not refuse it`);
      else refused++;
    }
    // No cookie at all, posted where the proxy does not redirect: the action must not run either.
    for (const b of live) {
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        headers: { 'next-action': b.id, accept: 'text/x-component', 'content-type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify(argsFor[b.name] ?? []),
      });
      const text = await res.text();
      for (const leak of [secret, 'event_metadata', '"count"']) if (text.includes(leak)) problems.push(`${b.name} via /login: the answer holds ${leak}`);
    }
    expect(problems).toEqual([]);
    expect(await digest(), 'no action changed anything').toEqual(before);
    expect(receiver.hits, 'no action made an outgoing call').toEqual([]);
    // The revoked-by-nobody events key still works.
    expect((await call(server.url, 'POST', '/api/events', { key: keys.events, body: {} })).status).toBe(400);
    summary.push(['server actions', actions.length, `${live.length} (+${actions.length - live.length} public)`, refused]);
  });

  it('the same calls with a real session do work (so the refusals above are the guard, not the test)', async () => {
    const csrf = await fetch(`${server.url}/api/auth/csrf`);
    const csrfCookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const signIn = await fetch(`${server.url}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
      body: new URLSearchParams({ csrfToken, email: ADMIN.email, password: ADMIN.password }),
    });
    const session = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c!.includes('session-token'));
    expect(session, `sign-in answered ${signIn.status}`).toBeTruthy();
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, DIST_DIR, 'server', 'server-reference-manifest.json'), 'utf8')).node as Record<string, { exportedName: string }>;
    const idOf = (name: string) => Object.entries(manifest).find(([, v]) => v.exportedName === name)![0];
    const reveal = await fetch(`${server.url}/webhooks/${ids.webhook}`, {
      method: 'POST',
      headers: { 'next-action': idOf('revealWebhookSecretAction'), accept: 'text/x-component', 'content-type': 'text/plain;charset=UTF-8', cookie: session! },
      body: JSON.stringify([ids.webhook]),
    });
    expect(reveal.status).toBe(200);
    expect(await reveal.text()).toContain(secret);
    const page = await call(server.url, 'GET', '/webhooks', { headers: { cookie: session! } });
    expect(page.status).toBe(200);
    expect(page.text).toContain(MARKER);
  });
});

describe('the role matrix: a viewer, an editor and an owner get exactly what SPEC §10 gives them (PostgreSQL)', () => {
  const cookies = {} as Record<Role, string>;
  const ROLES_ = ['viewer', 'editor', 'owner'] as const;
  const allowed = (role: Role, needed: Role) => RANK[role] >= RANK[needed];
  const matrix: (string | number)[][] = [['role', 'pages allowed/refused', 'routes allowed/refused', 'actions refused']];

  beforeAll(async () => {
    for (const role of ROLES_) {
      cookies[role] = await signInCookie(server.url, TEAM[role], ADMIN.password);
      matrix.push([role, '', '', role === 'owner' ? '-' : '']);
    }
  }, 120_000);
  afterAll(() => printTable('Role matrix: what each role reached and what it was refused', matrix));

  it('pages: allowed ones render, the others send to /not-allowed; a viewer sees no button that changes anything', async () => {
    const problems: string[] = [];
    const counts = {} as Record<Role, [number, number]>;
    for (const role of ROLES_) {
      counts[role] = [0, 0];
      for (const p of pages.filter((x) => classifyPage(x.file) === 'admin')) {
        const url = withParams(p.url, 'real');
        const res = await call(server.url, 'GET', url, { headers: { cookie: cookies[role] } });
        const ok = allowed(role, PAGE_ROLES[p.url]!);
        if (ok && res.status !== 200) problems.push(`${role} ${url}: ${res.status}, expected 200`);
        if (!ok && !(res.status === 307 && /\/not-allowed\?needs=/.test(res.headers.get('location') ?? ''))) {
          problems.push(`${role} ${url}: ${res.status} ${res.headers.get('location')}, expected a redirect to /not-allowed`);
        }
        counts[role][ok ? 0 : 1]++;
      }
    }
    // What the pages offer follows the role too (the server refuses it anyway, below).
    const offers = async (role: Role, url: string) => (await call(server.url, 'GET', url, { headers: { cookie: cookies[role] } })).text;
    for (const [url, text] of [['/webhooks', 'New webhook'], ['/webfilters', 'New webfilter'], ['/webhooks', 'Import from openedx-webhooks']] as const) {
      expect((await offers('viewer', url)).includes(text), `viewer on ${url} sees ${text}`).toBe(false);
      expect((await offers('editor', url)).includes(text), `editor on ${url} sees ${text}`).toBe(true);
    }
    expect(await offers('viewer', `/webhooks/${ids.webhook}`)).toContain('Read-only: your role (viewer) cannot change this.');
    expect(await offers('editor', `/webhooks/${ids.webhook}`)).not.toContain('Read-only');
    for (const link of ['href="/users"', 'href="/audit"', 'href="/api-keys"']) {
      expect(await offers('editor', '/webhooks'), `editor sees ${link}`).not.toContain(link);
      expect(await offers('owner', '/webhooks'), `owner sees ${link}`).toContain(link);
    }
    expect(problems).toEqual([]);
    for (const role of ROLES_) matrix.find((m) => m[0] === role)![1] = `${counts[role][0]}/${counts[role][1]}`;
  });

  it('management routes: a role below the route answers 403 with a sentence and changes nothing; at or above it gets past the guard', async () => {
    const before = await digest();
    const problems: string[] = [];
    const same = { 'sec-fetch-site': 'same-origin' };
    for (const role of ROLES_) {
      let ok = 0;
      let refused = 0;
      for (const r of routes.filter((x) => classify(x.url) === 'admin')) {
        for (const method of r.methods) {
          const url = withParams(r.url, 'unknown');
          const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
          const res = await call(server.url, method, url, { headers: { cookie: cookies[role], ...same }, body });
          const needed = routeRole(r.url, method);
          if (allowed(role, needed)) {
            ok++;
            if (res.status === 401 || res.status === 403 || res.status >= 500) problems.push(`${role} ${method} ${url}: ${res.status} ${res.text.slice(0, 100)}`);
          } else {
            refused++;
            if (res.status !== 403 || !/^Your role \((viewer|editor)\) does not allow this/.test(String(res.json?.error))) {
              problems.push(`${role} ${method} ${url}: ${res.status} ${res.text.slice(0, 100)}, expected 403`);
            }
          }
        }
      }
      matrix.find((m) => m[0] === role)![2] = `${ok}/${refused}`;
    }
    expect(problems).toEqual([]);
    expect(await digest(), 'no refused or empty call changed anything').toEqual(before);
  });

  it("server actions: a viewer's or an editor's forged call of an action above its role is refused and changes nothing", async () => {
    const built = builtActions().filter((b) => !PUBLIC_ACTIONS[`${b.file}#${b.name}`]);
    expect(built.map((b) => b.name).sort()).toEqual(Object.keys(ACTION_ROLES).sort());
    const before = await digest();
    const refusals = () => (server.output().match(/Your role \((viewer|editor)\) does not allow this/g) ?? []).length;
    const problems: string[] = [];
    for (const role of ['viewer', 'editor'] as const) {
      let refused = 0;
      for (const b of built.filter((x) => !allowed(role, ACTION_ROLES[x.name]!))) {
        const seen = refusals();
        // Posted at a page the role may open, so only the action's own guard stands in the way.
        const { status, text } = await postAction(b, '/webhooks', cookies[role], { origin: server.url });
        const where = `${role} ${b.name}`;
        // Posted from a page the role may open, the refusal comes back as the page's flight answer with the
        // action's error in it (only its digest: the message stays in the server log, counted below).
        if (status < 400 && !/"digest":"\d+"/.test(text)) problems.push(`${where}: answered ${status} without an error: ${text.slice(0, 200)}`);
        for (const leak of [secret, '"token"', 'oewi_']) if (text.includes(leak)) problems.push(`${where}: the answer holds ${leak}`);
        if (!(await until(() => refusals() > seen, 5000, `${where} refused`).catch(() => false))) problems.push(`${where}: the role guard did not refuse it`);
        else refused++;
      }
      matrix.find((m) => m[0] === role)![3] = refused;
    }
    expect(problems).toEqual([]);
    expect(await digest(), 'no refused action changed anything').toEqual(before);
    expect(receiver.hits).toEqual([]);
  });

  it('an action the role allows does run for it (so the refusals above are the role, not the call)', async () => {
    const built = builtActions();
    const preview = built.find((b) => b.name === 'previewWebhookAction')!;
    const viewer = await postAction(preview, '/webhooks', cookies.viewer, { origin: server.url });
    expect(viewer.status).toBe(200);
    expect(viewer.text).toContain('event_metadata');
    const reveal = built.find((b) => b.name === 'revealWebhookSecretAction')!;
    const editor = await postAction(reveal, '/webhooks', cookies.editor, { origin: server.url });
    expect(editor.status).toBe(200);
    expect(editor.text).toContain(secret);
  });
});
