import { test } from '@japa/runner'
import { createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { PdfRenderer } from '#documents/pdf_renderer'
import { pdfText } from '#tests/helpers/smtp_peer'

/**
 * Issue 13, L8: the PDF page has no network at all. Request interception alone misses
 * preconnect and DNS prefetch (they open sockets without a request), so the server counts TCP
 * connections, not HTTP requests.
 */
test.group('Security L8: the PDF renderer reaches no network', () => {
  test('preconnect, prefetch, preload, fonts, CSS imports and images open no connection', async ({
    assert,
  }) => {
    const connections: Socket[] = []
    const server = createServer((_req, res) => res.end('x'))
    server.on('connection', (socket) => connections.push(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const port = (server.address() as AddressInfo).port
    const base = `http://127.0.0.1:${port}`
    const renderer = await PdfRenderer.launch({ pages: 1 })
    try {
      const html = `<!DOCTYPE html><html><head>
        <link rel="preconnect" href="${base}"><link rel="preconnect" href="http://localhost:${port}" crossorigin>
        <link rel="dns-prefetch" href="//tollgate-prefetch.example"><link rel="prefetch" href="${base}/next.html">
        <link rel="preload" href="${base}/font.woff2" as="font" crossorigin><link rel="modulepreload" href="${base}/m.js">
        <style>@import url("${base}/imported.css"); @font-face { font-family: X; src: url("${base}/x.woff2"); }
          body { font-family: X; background: url("${base}/bg.png"); }</style>
        </head><body><p>offline text</p><a href="${base}/link" ping="${base}/ping">link</a>
        <img src="${base}/logo.png" loading="eager"><video poster="${base}/poster.png"></video>
        <object data="${base}/object"></object><embed src="${base}/embed"></body></html>`
      const text = await pdfText(await renderer.render(html))
      assert.include(text, 'offline text')
      // Give a late speculative connection time to arrive before counting.
      await new Promise((r) => setTimeout(r, 1500))
      assert.lengthOf(connections, 0)
    } finally {
      await renderer.close()
      server.close()
    }
  }).timeout(60_000)
})
