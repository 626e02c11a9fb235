// Browser test of CORS: node cors-e2e.mjs http://127.0.0.1:PORT (a `serve --demo` server).
// This script serves an admin panel's page on an origin of its own, http://localhost:<another
// port>, which the demo allows, and Debian's headless Chromium runs it: the page calls /graphql
// and a REST route with a token and downloads a sheet, as a panel on its own development server
// would, reading the exposed X-Request-Id and Content-Disposition. The same page served as
// http://spa.test:<port> (mapped to loopback: an origin the demo does not allow) must be refused
// by the browser. Nothing is intercepted: the preflights are Chromium's own, answered by the
// server.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2]?.replace(/\/$/, '');
if (!base) {
  console.error('usage: node cors-e2e.mjs http://127.0.0.1:PORT');
  process.exit(2);
}

// The panel: every call sends the token in a header, so each is preceded by a preflight.
const PAGE = `<!doctype html><meta charset="utf-8"><title>admin panel</title><script>
async function calls(base) {
  const auth = { Authorization: 'Token admin123' };
  const out = {};
  try {
    const g = await fetch(base + '/graphql', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', 'X-Request-Id': 'panel-1' },
      body: JSON.stringify({ query: '{ viewer { kind name } }' }),
    });
    out.graphql = { status: g.status, requestId: g.headers.get('x-request-id'), body: await g.json() };
    const r = await fetch(base + '/server/userinfo/payer_list/?page_size=2', { headers: auth });
    const page = await r.json();
    out.rest = { status: r.status, count: page.count, rows: page.results.length };
    const d = await fetch(base + '/api/white/example', { headers: auth });
    const bytes = new Uint8Array(await d.arrayBuffer());
    out.download = { status: d.status, disposition: d.headers.get('content-disposition'), zip: bytes[0] === 0x50 && bytes[1] === 0x4b };
  } catch (e) {
    out.refused = String(e);
  }
  return out;
}
</script><p>admin panel</p>`;

const spa = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(PAGE);
});
await new Promise((resolve) => spa.listen(0, '127.0.0.1', resolve));
const port = spa.address().port;

const profile = mkdtempSync(join(tmpdir(), 'cors-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // spa.test is this machine; every other name fails to resolve.
    '--host-resolver-rules=MAP spa.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

let failed = false;
const check = (ok, what, got) => {
  if (!ok) {
    failed = true;
    console.error(`cors e2e: ${what}: got ${JSON.stringify(got)}`);
  }
};
try {
  // An allowed origin: every call answers, and the page reads the exposed headers.
  await page.goto(`http://localhost:${port}/`, { waitUntil: 'load' });
  const allowed = await page.evaluate((b) => calls(b), base);
  check(!allowed.refused, 'http://localhost is allowed', allowed);
  check(allowed.graphql?.status === 200 && allowed.graphql.body?.data?.viewer?.kind === 'staff'
    && allowed.graphql.body.data.viewer.name === 'admin', 'GraphQL answers the staff viewer', allowed.graphql);
  check(allowed.graphql?.requestId === 'panel-1', 'X-Request-Id is sent and exposed', allowed.graphql);
  check(allowed.rest?.status === 200 && allowed.rest.rows === 2 && allowed.rest.count > 2, 'a REST page', allowed.rest);
  check(allowed.download?.status === 200 && allowed.download.zip
    && /^attachment; filename=/.test(allowed.download.disposition ?? ''), 'a download with its exposed name', allowed.download);

  // An origin the demo does not allow: the browser refuses the page the answers.
  consoleErrors.length = 0;
  await page.goto(`http://spa.test:${port}/`, { waitUntil: 'load' });
  const refused = await page.evaluate((b) => calls(b), base);
  check(/TypeError/.test(refused.refused ?? '') && !refused.graphql, 'http://spa.test is refused', refused);
  check(consoleErrors.some((e) => /CORS policy/.test(e)), 'Chromium names CORS as the reason', consoleErrors);
  if (!failed) {
    console.log(`cors e2e ok: from http://localhost:${port} GraphQL, a REST page and a download with a token (X-Request-Id and Content-Disposition read); from http://spa.test:${port} refused by Chromium`);
  }
} catch (e) {
  failed = true;
  console.error(`cors e2e FAILED: ${e.message}`);
}
await context.close();
spa.close();
rmSync(profile, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
