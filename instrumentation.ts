// Runs once per server start: everything Node-only is imported here, under the nodejs runtime.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServerOrExit } = await import('./lib/startup');
    await startServerOrExit();
  }
}
