import type { Page } from 'playwright'
import { AxeBuilder } from '@axe-core/playwright'
import type User from '#models/user'

/**
 * What every UI journey does on each page it visits: wait for the page to settle and run axe-core;
 * a serious or critical violation fails the test with the rule, its help text and the elements.
 */
export async function assertAccessible(page: Page, where: string) {
  // Generous: the first visit of a page makes Vite transform its modules, slow on a loaded machine.
  await page.waitForLoadState('networkidle', { timeout: 20_000 }).catch(() => {})
  // Inertia's progress bar (NProgress, role="bar") fades out after a visit: check the page, not it.
  await page.waitForFunction(
    () => !(globalThis as any).document.querySelector('#nprogress'),
    undefined,
    { timeout: 30_000 }
  )
  // Frames are left out: axe waits forever on a sandboxed frame without scripts (the branding
  // preview) and cannot read Chromium's PDF viewer (the invoice pane). Their one rule about the
  // frame element itself, a title, is checked here instead.
  const untitled = await page
    .locator('iframe:not([title]), iframe[title=""]')
    .evaluateAll((frames) => frames.map((f) => (f as any).outerHTML.slice(0, 80)))
  if (untitled.length) throw new Error(`frames without a title on ${where}: ${untitled.join(', ')}`)
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .exclude('iframe')
    .analyze()
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  if (bad.length) {
    const text = bad
      .map(
        (v) =>
          `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes
            .slice(0, 5)
            .map(
              (n) => n.target.join(' ') + ' — ' + n.failureSummary?.split('\n').slice(1, 2).join('')
            )
            .join('\n  ')}`
      )
      .join('\n')
    throw new Error(
      `axe found ${bad.length} serious/critical violation(s) on ${where} (${page.url()}):\n${text}`
    )
  }
}

/** Logs in through the form as a person would. */
export async function logIn(page: Page, user: User, password = 'secret-password') {
  await page.locator('#email').fill(user.email)
  await page.locator('#password').fill(password)
  await page.locator('button[type=submit]').click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

/** The page's visible text with runs of white space as one space (what a person reads). */
export async function visibleText(page: Page, selector = 'body') {
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ')
}
