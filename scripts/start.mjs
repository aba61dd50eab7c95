// `npm start`: builds the app when there is no build yet (a fresh clone), then serves it on PORT (default 3000).
// `npm start -- --build` rebuilds first (after pulling new code).
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const distDir = process.env.NEXT_DIST_DIR || '.next';
const next = path.join('node_modules', 'next', 'dist', 'bin', 'next');

if (!fs.existsSync(path.join(distDir, 'BUILD_ID')) || process.argv.includes('--build')) {
  console.log('[openedx-webhooks] building the app (first start only)…');
  const build = spawnSync(process.execPath, [next, 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// server.ts: Next.js plus the LMS hot paths served without its router (see the file).
// Settings may live in a .env file beside package.json (Node's own --env-file; the environment wins).
const server = spawn(process.execPath, ['--env-file-if-exists=.env', '--import', 'tsx', 'server.ts', ...process.argv.slice(2).filter((a) => a !== '--build')], {
  stdio: 'inherit',
  env: { NODE_ENV: 'production', ...process.env },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.kill(sig));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
