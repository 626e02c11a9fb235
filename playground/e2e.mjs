// Browser test of the bundled playground: node e2e.mjs http://127.0.0.1:PORT
// Uses Debian's Chromium (never a downloaded one) and fails if the page tries to reach any host
// but this one: the point of the bundle is that /graphiql works with no internet at all.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2]?.replace(/\/$/, '');
if (!base) {
  console.error('usage: node e2e.mjs http://127.0.0.1:PORT');
  process.exit(2);
}
const SCREENSHOT = '/tmp/graphiql-e2e.png';
const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]']);
const started = Date.now();

const external = []; // requests to other hosts, aborted
const problems = []; // page errors, CSP refusals, failed local loads
let localRequests = 0;
let schemaLoaded = false;

const profile = mkdtempSync(join(tmpdir(), 'graphiql-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // Belt: DNS fails for everything but loopback. Braces: the route below records and aborts.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
  ],
});
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (LOCAL.has(url.hostname)) {
    localRequests++;
    return route.continue();
  }
  external.push(url.href);
  return route.abort('blockedbyclient');
});
const page = context.pages()[0] ?? (await context.newPage());
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => {
  if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
});
page.on('response', async (r) => {
  if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`HTTP ${r.status()} ${r.url()}`);
  // The schema query must pass the server's limits, or the docs and completion stay empty.
  if (r.url().endsWith('/graphql') && r.request().postData()?.includes('__schema')) {
    // A reload can discard a response before its body is read: that says nothing about the
    // server (the next load asks again, and the end of the test requires one schema).
    const body = await r.json().catch(() => undefined);
    if (body === undefined) return;
    if (body?.data?.__schema) schemaLoaded = true;
    else problems.push(`schema query refused: ${JSON.stringify(body?.errors ?? body)}`);
  }
});

// GraphiQL's editors are CodeMirror 5: the instance hangs off its wrapper element.
const QUERY = '.graphiql-query-editor .CodeMirror';
const HEADERS = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror';
const RESPONSE = '.graphiql-response .CodeMirror';
const setText = (sel, text) => page.locator(sel).evaluate((el, t) => el.CodeMirror.setValue(t), text);
const getText = (sel) => page.locator(sel).evaluate((el) => el.CodeMirror.getValue());
async function runAndWaitFor(...needles) {
  // While GraphiQL still sees several operations (it re-parses after an edit) the button is a
  // dropdown trigger, and a click would open the operation menu instead of running.
  await page.click('.graphiql-execute-button:not([aria-haspopup])');
  await page.waitForFunction(
    ([sel, ns]) => {
      const text = document.querySelector(sel)?.CodeMirror.getValue() ?? '';
      return ns.every((n) => text.includes(n));
    },
    [RESPONSE, needles],
    { timeout: 15_000 },
  ).catch(async () => {
    throw new Error(`response never showed ${needles.join(' and ')}; it shows: ${await getText(RESPONSE)}`);
  });
}

const step = { name: 'start' };
try {
  step.name = 'open /graphiql';
  await page.goto(`${base}/graphiql`, { waitUntil: 'load' });
  if ((await page.title()) !== 'opsgraph GraphiQL') throw new Error(`title is ${JSON.stringify(await page.title())}`);
  await page.waitForSelector(QUERY, { timeout: 30_000 });
  step.name = 'headers editor visible by default';
  await page.waitForSelector(HEADERS, { state: 'visible', timeout: 5_000 });

  step.name = 'the default query shows me';
  const start = await getText(QUERY);
  if (!start.includes('query Me {') || !start.includes('  me {')) throw new Error(`default query is ${JSON.stringify(start)}`);

  step.name = 'query as staff';
  await setText(HEADERS, '{"Authorization": "Token admin123"}');
  await setText(QUERY, '{ me { kind username } }');
  await runAndWaitFor('"username": "admin"', '"kind": "staff"');

  // GraphiQL writes its tab state (headers included) to localStorage after a short debounce.
  // Twice, because stock GraphiQL 3 keeps them through the first reload only (see main.js).
  await page.waitForFunction(() => {
    const state = JSON.parse(localStorage.getItem('graphiql:tabState') ?? 'null');
    return state?.tabs[state.activeTabIndex]?.headers?.includes('Token admin123');
  });
  for (const n of [1, 2]) {
    step.name = `headers kept across reload ${n}`;
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector(HEADERS, { state: 'visible', timeout: 30_000 });
    const kept = await getText(HEADERS);
    if (!kept.includes('Token admin123')) throw new Error(`headers editor holds ${JSON.stringify(kept)}`);
    const tabs = await page.locator('.graphiql-tab').count();
    if (tabs > 1) throw new Error(`${tabs} tabs: the reload opened a new one`);
  }

  step.name = 'query without headers';
  await setText(HEADERS, '');
  await setText(QUERY, '{ me { kind username } }');
  await runAndWaitFor('"UNAUTHENTICATED"');

  step.name = 'the REST reference at /docs renders /openapi.json offline';
  const spec = await (await page.request.get(`${base}/openapi.json`)).json();
  const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  await page.goto(`${base}/docs`, { waitUntil: 'load' });
  await page.waitForFunction((n) => document.querySelectorAll('#ops details').length === n, operations, { timeout: 15_000 })
    .catch(async () => {
      throw new Error(`/docs shows ${await page.locator('#ops details').count()} of ${operations} operations`);
    });

  step.name = 'nothing external, no errors';
  if (external.length) throw new Error(`external requests attempted: ${external.join(', ')}`);
  if (problems.length) throw new Error(problems.join('\n'));
  if (!schemaLoaded) throw new Error('the playground never loaded the schema');
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`graphiql e2e ok: /docs lists ${operations} operations, schema loaded, staff viewer with the Token header, headers kept across two reloads, null viewer without; ${localRequests} local requests, 0 external, ${secs}s`);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
} catch (e) {
  console.error(`graphiql e2e FAILED at "${step.name}": ${e.message}`);
  if (external.length) console.error(`external requests attempted: ${external.join(', ')}`);
  if (problems.length) console.error(problems.join('\n'));
  await page.screenshot({ path: SCREENSHOT, fullPage: true }).then(
    () => console.error(`screenshot: ${SCREENSHOT}`),
    (err) => console.error(`no screenshot: ${err.message}`),
  );
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  process.exit(1);
}
