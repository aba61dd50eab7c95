// Reads the final stage of the repository's Dockerfile: what it copies, its environment, user, workdir, health
// check and command. The image-start test runs exactly these, since Docker itself cannot run on CI machines.
import fs from 'node:fs';
import path from 'node:path';

export interface FinalStage {
  workdir: string;
  user: string | undefined;
  env: Record<string, string>;
  /** `COPY --from=<stage> <src>... <dest>` lines, in order. */
  copies: { from: string; sources: string[]; dest: string }[];
  volumes: string[];
  healthcheck: string[];
  cmd: string[];
}

/** Joins continuation lines and drops comments. */
function instructions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    if (/^\s*#/.test(raw)) continue;
    const line = raw.trimEnd();
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    if (current.trim()) out.push(current.trim());
    current = '';
  }
  return out;
}

/** KEY=value pairs (values may be double-quoted). */
function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) env[m[1]!] = m[3] ?? m[2]!;
  return env;
}

function execForm(args: string, what: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`${what} must be in JSON (exec) form`);
  return parsed;
}

export function readFinalStage(dockerfile: string): FinalStage {
  const all = instructions(fs.readFileSync(dockerfile, 'utf8'));
  const lastFrom = all.findLastIndex((i) => /^FROM\s/i.test(i));
  const stage: FinalStage = { workdir: '/', user: undefined, env: {}, copies: [], volumes: [], healthcheck: [], cmd: [] };
  for (const ins of all.slice(lastFrom + 1)) {
    const [, keyword = '', rest = ''] = ins.match(/^(\S+)\s*(.*)$/) ?? [];
    switch (keyword.toUpperCase()) {
      case 'WORKDIR':
        stage.workdir = path.posix.resolve(stage.workdir, rest);
        break;
      case 'USER':
        stage.user = rest;
        break;
      case 'ENV':
        Object.assign(stage.env, parseEnv(rest));
        break;
      case 'VOLUME':
        stage.volumes.push(...rest.split(/\s+/));
        break;
      case 'COPY': {
        const words = rest.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length) ?? 'context';
        const paths = words.filter((w) => !w.startsWith('--'));
        stage.copies.push({ from, sources: paths.slice(0, -1), dest: paths.at(-1)! });
        break;
      }
      case 'HEALTHCHECK': {
        const at = rest.indexOf('CMD ');
        stage.healthcheck = execForm(rest.slice(at + 4), 'HEALTHCHECK');
        break;
      }
      case 'CMD':
        stage.cmd = execForm(rest, 'CMD');
        break;
    }
  }
  return stage;
}
