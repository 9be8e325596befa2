import { test } from '@japa/runner'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PdfRenderer } from '#documents/pdf_renderer'
import { pdfText } from '#tests/helpers/smtp_peer'

test.group('PDF renderer', () => {
  test('templates cannot run JavaScript or reach the network', async ({ assert }) => {
    const hits: string[] = []
    const server = createServer((req, res) => {
      hits.push(req.url ?? '')
      res.end('x')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const renderer = await PdfRenderer.launch({ pages: 1 })
    try {
      const html = `<!DOCTYPE html><html><head><link rel="stylesheet" href="${base}/style.css"></head><body>
        <img src="${base}/logo.png"><iframe src="${base}/frame"></iframe>
        <p id="t">static text</p>
        <script>document.getElementById('t').textContent = 'script ran'; fetch('${base}/fetch')</script>
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
      </body></html>`
      const pdf = await renderer.render(html)
      const text = await pdfText(pdf)
      assert.include(text, 'static text')
      assert.notInclude(text, 'script ran')
      assert.deepEqual(hits, [])
      assert.isAbove(renderer.blockedRequests, 0)
    } finally {
      await renderer.close()
      server.close()
    }
  }).timeout(60_000)
})
