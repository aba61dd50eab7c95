// Runs once per server start: everything Node-only is imported here, under the nodejs runtime.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { EnvError } = await import('./lib/env');
  const { startServer } = await import('./lib/startup');
  try {
    await startServer();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`[openedx-webhooks] ${err.message}`);
    } else {
      console.error('[openedx-webhooks] start failed:', err);
    }
    process.exit(1);
  }
}
