// Starts the built app for the e2e run on a fresh data dir (PGlite), building first unless E2E_SKIP_BUILD=1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const next = path.join('node_modules', 'next', 'dist', 'bin', 'next');
const distDir = process.env.NEXT_DIST_DIR || '.next';
if (process.env.E2E_SKIP_BUILD !== '1' || !fs.existsSync(path.join(distDir, 'BUILD_ID'))) {
  const build = spawnSync(process.execPath, [next, 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oewh-e2e-'));
const port = process.env.E2E_PORT ?? '3100';
console.log(`[e2e] data dir ${dataDir}`);
const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts', '-H', '127.0.0.1'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    PORT: port,
    ALLOW_PRIVATE_TARGETS: '1',
    RETRY_SCHEDULE: '1,1,1',
    INITIAL_API_KEY: 'e2e-initial-key-0123456789abcdef',
  },
});
const stop = () => {
  server.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.on('exit', (code) => process.exit(code ?? 0));
