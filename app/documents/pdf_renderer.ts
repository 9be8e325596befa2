import puppeteer, { type Browser, type Page, type HTTPRequest } from 'puppeteer-core'

/**
 * HTML → PDF with the system Chromium. One browser per batch and a small pool
 * of pages; every page has JavaScript disabled and every network request
 * aborted (the document is set as content, images are data: URIs), so a
 * template can neither run code nor reach the network.
 */

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-extensions',
  '--disable-default-apps',
  '--mute-audio',
]

/**
 * For the PDF browser only (not the tests' Playwright browser): no DNS and no route anywhere.
 * Request interception does not see preconnect or DNS prefetch, which open sockets on their
 * own; with every name unresolvable and every connection sent to a proxy that does not exist,
 * nothing leaves the process whatever a template contains.
 */
export const OFFLINE_ARGS = [
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--proxy-server=http://127.0.0.1:1',
  '--proxy-bypass-list=<-loopback>',
  '--dns-prefetch-disable',
  '--disable-features=NetworkPrediction,Prerender2,SpeculationRulesPrefetchProxy',
]

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium'
}

export async function launchChromium(): Promise<Browser> {
  // Talk to Chromium over a pipe, not a WebSocket: when this process dies, even by kill -9, the
  // pipe closes and Chromium exits with it instead of living on (≈12 processes, 1.4 GB).
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...CHROMIUM_ARGS, ...OFFLINE_ARGS],
    pipe: true,
  })
}

export interface PdfOptions {
  /** Kept for callers; the footer text is part of the template (@page margin boxes). */
  footer?: string
}

function allowOnlyInline(request: HTTPRequest) {
  const url = request.url()
  if (url.startsWith('data:') || url === 'about:blank') return request.continue()
  return request.abort('blockedbyclient')
}

export class PdfRenderer {
  #browser: Browser
  #idle: Page[] = []
  #waiting: ((page: Page) => void)[] = []
  #all: Page[] = []
  /** Requests a template tried to make (all blocked). */
  blockedRequests = 0

  private constructor(browser: Browser) {
    this.#browser = browser
  }

  static async launch(options: { pages?: number } = {}) {
    const browser = await launchChromium()
    const renderer = new PdfRenderer(browser)
    const count = Math.max(1, options.pages ?? Number(process.env.PDF_PAGES ?? 2))
    for (let i = 0; i < count; i++) {
      const page = await browser.newPage()
      await page.setJavaScriptEnabled(false)
      await page.setRequestInterception(true)
      page.on('request', (request) => {
        if (!request.url().startsWith('data:') && request.url() !== 'about:blank')
          renderer.blockedRequests++
        void allowOnlyInline(request)
      })
      renderer.#all.push(page)
      renderer.#idle.push(page)
    }
    return renderer
  }

  async #acquire(): Promise<Page> {
    const page = this.#idle.pop()
    if (page) return page
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  #release(page: Page) {
    const next = this.#waiting.shift()
    if (next) next(page)
    else this.#idle.push(page)
  }

  async render(html: string, _options: PdfOptions = {}): Promise<Buffer> {
    const page = await this.#acquire()
    try {
      await page.setContent(html, { waitUntil: 'load', timeout: 30_000 })
      // Page numbers and the footer text come from CSS @page margin boxes in the
      // template (cheaper than Chromium's header/footer templates, and overridable).
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        tagged: false,
        outline: false,
      })
      return Buffer.from(pdf)
    } finally {
      this.#release(page)
    }
  }

  async close() {
    await this.#browser.close().catch(() => {})
  }
}

/** Runs `work` with a renderer that is closed afterwards, however `work` ends. */
export async function withRenderer<T>(
  work: (renderer: PdfRenderer) => Promise<T>,
  options: { pages?: number } = {}
): Promise<T> {
  const renderer = await PdfRenderer.launch(options)
  try {
    return await work(renderer)
  } finally {
    await renderer.close()
  }
}
