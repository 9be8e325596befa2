/** Polls `check` every 100 ms until it holds, for work a request left running in the background. */
export async function waitFor(check: () => Promise<boolean>, ms = 15_000) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('timed out')
}
