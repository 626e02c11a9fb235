// Bundles GraphiQL into ../assets/graphiql/{index.html,graphiql.js,graphiql.css}, which the binary
// embeds and serves at /graphiql, so the playground needs nothing from outside at run time.
// Deterministic: CI rebuilds from package-lock.json and fails on `git diff --exit-code assets/graphiql`.
import { build } from 'esbuild';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'assets', 'graphiql');

const result = await build({
  absWorkingDir: here,
  entryPoints: { graphiql: 'src/main.js' }, // main.js imports style.css, so this yields both files
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'eof', // keep the bundled packages' licence notices
  charset: 'utf8',
  outdir: 'dist', // only names the outputs: nothing is written there
  write: false,
  logLevel: 'warning',
});

await mkdir(out, { recursive: true });
for (const file of result.outputFiles) {
  await writeFile(join(out, file.path.split('/').pop()), file.contents);
}
await copyFile(join(here, 'src', 'index.html'), join(out, 'index.html'));
console.log(`wrote ${['index.html', ...result.outputFiles.map((f) => f.path.split('/').pop())].join(', ')} to ${out}`);
