// One process at a time on an embedded database: PGlite has no lock of its own, and two processes writing one
// folder corrupt it for good. The holder keeps DATA_DIR/pglite.lock (its pid and host) and touches it every few
// seconds; another process refuses to start while the lock is held by a live process on this host, or was
// touched recently by any host (two containers on one volume). A lock left by a crash is taken over.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The holder touches the lock this often; a lock untouched for STALE_MS belongs to nobody. */
const TOUCH_MS = 5_000;
const STALE_MS = 15_000;

export class DataDirInUse extends Error {
  constructor(readonly dataDir: string, readonly holder: string) {
    super(
      `DATA_DIR ${dataDir} is in use by another process (${holder}): an embedded database takes one process at a time. ` +
        'Stop that process first, or give this one another DATA_DIR (or a DATABASE_URL).',
    );
    this.name = 'DataDirInUse';
  }
}

interface Holder {
  pid: number;
  host: string;
}

/** Whether a process with this pid runs on this host (one we may not signal still runs). */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function read(file: string): { holder: Holder | null; touchedMs: number } | null {
  try {
    const touchedMs = fs.statSync(file).mtimeMs;
    let holder: Holder | null = null;
    try {
      const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Holder>;
      if (typeof h.pid === 'number' && typeof h.host === 'string') holder = { pid: h.pid, host: h.host };
    } catch {
      // Half written by a process that died at that instant: judged by its age alone.
    }
    return { holder, touchedMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Whether a lock still keeps others out: its holder is alive here, or it is fresh and from another host. */
function held(lock: { holder: Holder | null; touchedMs: number }): boolean {
  const fresh = Date.now() - lock.touchedMs < STALE_MS;
  const h = lock.holder;
  if (h && h.host === os.hostname()) return h.pid !== process.pid && alive(h.pid);
  return fresh;
}

export interface DataDirLock {
  release(): void;
}

/** Takes the lock of `dataDir` or throws DataDirInUse naming the holder. */
export function lockDataDir(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'pglite.lock');
  const me: Holder = { pid: process.pid, host: os.hostname() };
  for (let round = 0; ; round++) {
    const current = read(file);
    if (current && held(current)) {
      const h = current.holder;
      throw new DataDirInUse(path.resolve(dataDir), h ? `pid ${h.pid} on ${h.host}` : 'a process that is starting');
    }
    if (round > 10) throw new DataDirInUse(path.resolve(dataDir), 'another process starting at the same moment');
    // Written aside, then linked in: link fails if another process got there first, and nothing half written
    // is ever seen under the lock's name. A stale lock is renamed away first (only one racer's rename wins).
    const tmp = `${file}.${process.pid}.${round}`;
    const aside = `${file}.stale.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(me));
    try {
      if (current) {
        fs.renameSync(file, aside);
        // Another process took the stale lock over between our look and our rename: give its lock back.
        const moved = read(aside);
        if (moved && held(moved)) {
          fs.linkSync(aside, file);
          continue;
        }
      }
      fs.linkSync(tmp, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOENT') throw err;
      continue; // someone else moved first: judge again
    } finally {
      fs.rmSync(tmp, { force: true });
      fs.rmSync(aside, { force: true });
    }
    break;
  }
  const touch = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // The folder went away: nothing to keep.
    }
  }, TOUCH_MS);
  touch.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(touch);
    process.off('exit', release);
    const current = read(file);
    if (current?.holder?.pid === me.pid && current.holder.host === me.host) fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { release };
}
