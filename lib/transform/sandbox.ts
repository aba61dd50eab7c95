// Transformations (SPEC §14) run in QuickJS compiled to WebAssembly: one runtime per saved version of a
// transformation (compiled once, then called per delivery), each capped at 16 MiB and 50 ms per run, with no
// network, timers, require or host objects: the code sees only the JSON it is given.
import {
  newQuickJSWASMModule,
  RELEASE_SYNC,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten';

export const MEMORY_LIMIT_BYTES = 16 * 1024 * 1024;
export const TIME_LIMIT_MS = 50;
/**
 * The 50 ms are CPU time: a busy machine that pauses this process mid-run must not fail a delivery (its failure
 * is final). Wall time is capped too, at this, in case the CPU clock stalls while the process does not.
 */
const WALL_LIMIT_MS = 1_000;

/** True once this run has used TIME_LIMIT_MS of CPU (or WALL_LIMIT_MS have passed): QuickJS polls it. */
function deadline(): () => boolean {
  const wall = Date.now() + WALL_LIMIT_MS;
  const cpu0 = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu0);
    return (used.user + used.system) / 1000 > TIME_LIMIT_MS || Date.now() > wall;
  };
}
/** Small enough that QuickJS reports its own stack overflow long before the host's stack runs out. */
const STACK_LIMIT_BYTES = 128 * 1024;
/** Compiled versions kept (least recently used are dropped): each holds a runtime of a few hundred KiB. */
const MAX_COMPILED = 128;
const FILE = 'transformation.js';

/** Why a transformation failed: a sentence, and the line of the source when QuickJS knows it. */
export class TransformError extends Error {
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(message);
    this.name = 'TransformError';
  }
}

interface Compiled {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  run: QuickJSHandle;
}

// One WebAssembly module for every transformation; a fresh one if it ever breaks (see hostFailure).
let module: Promise<QuickJSWASMModule> | null = null;
const compiled = new Map<string, Compiled>();

function loadModule(): Promise<QuickJSWASMModule> {
  if (!module) {
    module = newQuickJSWASMModule(RELEASE_SYNC);
    module.catch(() => (module = null));
  }
  return module;
}

/** The module before the first transformation: at start, so no delivery waits for it. */
export function warmUp(): Promise<void> {
  return loadModule().then(() => undefined);
}

// Defined after the source, in its own file name, so errors in the source keep its own line numbers. The
// handler is taken once, at compile time; input and output cross the boundary as JSON text.
const RUNNER = `(function (handler) {
  if (typeof handler !== 'function') return undefined;
  return function (input) {
    var result = handler(JSON.parse(input));
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      throw new TypeError('handler must return the webhook object itself: async handlers and Promises are not supported');
    }
    return result === undefined ? undefined : JSON.stringify(result);
  };
})(typeof handler === 'undefined' ? undefined : handler)`;

/** The line of the source an error points at: "at handler (transformation.js:3:7)", or lineNumber. */
function lineOf(dumped: unknown): number | null {
  if (!dumped || typeof dumped !== 'object') return null;
  const e = dumped as { stack?: unknown; lineNumber?: unknown; fileName?: unknown };
  if (typeof e.stack === 'string') {
    const m = new RegExp(`${FILE.replace('.', '\\.')}:(\\d+)`).exec(e.stack);
    if (m) return Number(m[1]);
  }
  if (e.fileName === FILE && typeof e.lineNumber === 'number') return e.lineNumber;
  return null;
}

function describe(dumped: unknown, stage: 'compile' | 'run'): TransformError {
  const line = lineOf(dumped);
  const at = line ? ` (line ${line})` : '';
  if (dumped && typeof dumped === 'object' && 'message' in dumped) {
    const { name, message } = dumped as { name?: unknown; message?: unknown };
    const text = String(message);
    if (name === 'InternalError' && text === 'interrupted') {
      return new TransformError(`The transformation ran longer than ${TIME_LIMIT_MS} ms (CPU time) and was stopped${at}.`, line);
    }
    if (name === 'InternalError' && text === 'out of memory') {
      return new TransformError(`The transformation used more than ${MEMORY_LIMIT_BYTES / 1024 / 1024} MiB of memory and was stopped${at}.`, line);
    }
    if (name === 'InternalError' && text === 'stack overflow') {
      return new TransformError(`The transformation recursed too deeply (stack overflow)${at}.`, line);
    }
    const kind = stage === 'compile' && name === 'SyntaxError' ? 'does not compile' : 'threw';
    return new TransformError(`The transformation ${kind}${at}: ${name ? `${String(name)}: ` : ''}${text}`, line);
  }
  return new TransformError(`The transformation threw${at}: ${JSON.stringify(dumped) ?? String(dumped)}`, line);
}

function dispose(c: Compiled | { runtime: QuickJSRuntime; context: QuickJSContext; run?: QuickJSHandle }) {
  try {
    c.run?.dispose();
    c.context.dispose();
    c.runtime.dispose();
  } catch {
    // A runtime left inconsistent cannot be freed: the whole module goes (hostFailure).
    hostFailure();
  }
}

/**
 * The host itself failed inside the module (its stack, an aborted WebAssembly instance): nothing compiled in
 * it can be trusted any more. Everything is dropped and the next run loads a fresh module.
 */
function hostFailure() {
  compiled.clear();
  module = null;
}

async function compile(source: string): Promise<Compiled> {
  const qjs = await loadModule();
  const runtime = qjs.newRuntime();
  runtime.setMemoryLimit(MEMORY_LIMIT_BYTES);
  runtime.setMaxStackSize(STACK_LIMIT_BYTES);
  runtime.setInterruptHandler(deadline());
  const context = runtime.newContext();
  try {
    const defined = context.evalCode(source, FILE, { type: 'global' });
    if (defined.error) {
      const e = describe(context.dump(defined.error), 'compile');
      defined.error.dispose();
      throw e;
    }
    defined.value.dispose();
    const runner = context.evalCode(RUNNER, 'runner.js');
    if (runner.error) {
      const e = describe(context.dump(runner.error), 'compile');
      runner.error.dispose();
      throw e;
    }
    if (context.typeof(runner.value) !== 'function') {
      runner.value.dispose();
      throw new TransformError('The transformation must define function handler(webhook).');
    }
    return { runtime, context, run: runner.value };
  } catch (err) {
    if (!(err instanceof TransformError)) hostFailure();
    else dispose({ runtime, context });
    throw err;
  }
}

/**
 * Runs the handler on one input (any JSON value) and returns what it returned, parsed (undefined when it
 * returned nothing). `key` names the saved version (webhook id and a hash of the source): compiled the first
 * time, reused after. Throws TransformError for anything the code did wrong; never affects another key.
 */
export async function runHandler(key: string, source: string, input: unknown): Promise<unknown> {
  let c = compiled.get(key);
  if (c) {
    compiled.delete(key); // re-inserted below: most recently used last
  } else {
    c = await compile(source);
  }
  const { runtime, context, run } = c;
  let failed = true;
  let broken = false;
  try {
    runtime.setInterruptHandler(deadline());
    const arg = context.newString(JSON.stringify(input));
    const result = context.callFunction(run, context.undefined, arg);
    arg.dispose();
    if (result.error) {
      const e = describe(context.dump(result.error), 'run');
      result.error.dispose();
      throw e;
    }
    const text = context.typeof(result.value) === 'string' ? context.getString(result.value) : undefined;
    result.value.dispose();
    failed = false;
    return text === undefined ? undefined : JSON.parse(text);
  } catch (err) {
    if (!(err instanceof TransformError)) {
      // Not the code's doing: the module itself failed. Its runtimes are left alone (freeing one could abort).
      broken = true;
      hostFailure();
      throw new TransformError(`The transformation could not be run: ${(err as Error).message}.`);
    }
    throw err;
  } finally {
    if (broken) {
      // dropped with its module
    } else if (failed) {
      runtime.removeInterruptHandler();
      // After a throw, a timeout or running out of memory its state is suspect: compiled again next time.
      dispose(c);
    } else if (compiled.has(key)) {
      dispose(c); // compiled twice at once (two first deliveries): one copy is enough
    } else {
      runtime.removeInterruptHandler();
      compiled.set(key, c);
      if (compiled.size > MAX_COMPILED) {
        const [oldest, old] = compiled.entries().next().value!;
        compiled.delete(oldest);
        dispose(old);
      }
    }
  }
}

/** Compiles the source (running its top level, within the caps) without keeping it: null, or why it fails. */
export async function compileCheck(source: string): Promise<TransformError | null> {
  try {
    const c = await compile(source);
    c.runtime.removeInterruptHandler();
    dispose(c);
    return null;
  } catch (err) {
    if (err instanceof TransformError) return err;
    throw err;
  }
}

/** Compiled versions held now (for tests: a version is compiled once, not per run). */
export function compiledCount(): number {
  return compiled.size;
}

/** Drops a compiled version no longer in use (a webhook saved with new source). */
export function forget(prefix: string): void {
  for (const [key, c] of compiled) {
    if (key.startsWith(prefix)) {
      compiled.delete(key);
      dispose(c);
    }
  }
}
