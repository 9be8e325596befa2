import { test } from '@japa/runner'
import { sanitiseSvg } from '#documents/svg_sanitise'
import { checkLogo } from '#documents/branding'

const HOSTILE = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)"><script>alert(1)</script><foreignObject><div>x</div></foreignObject><rect width="10" height="10" fill="url(https://evil.example/x)"/><circle r="3" fill="#f00" onclick="x()"/><image href="https://evil.example/a.png"/><use xlink:href="https://evil.example/#a"/><use href="#c"/><style>@import url(https://evil.example)</style><a href="javascript:alert(1)"><text>t</text></a><text x="1" style="fill:url(http://evil.example/p)">Acme &amp; Co</text></svg>`

test.group('SVG logos are sanitised', () => {
  test('scripts, foreignObject, handlers, style sheets and external references go; drawing stays', ({
    assert,
  }) => {
    const { svg, removed } = sanitiseSvg(HOSTILE)
    for (const bad of [
      'script',
      'foreignObject',
      'onload',
      'onclick',
      'evil.example',
      '<style',
      'javascript:',
      '<image',
      '<a ',
    ])
      assert.notInclude(svg, bad)
    assert.include(svg, '<circle r="3" fill="#f00"/>')
    assert.include(svg, '<use href="#c"/>')
    assert.include(svg, 'Acme &amp; Co')
    assert.includeMembers(removed, ['<script>', '<foreignObject>', 'onload="alert(1)"', '<style>'])
  })

  test('DOCTYPE/entities and non-SVG files are refused with a reason', ({ assert }) => {
    assert.throws(
      () => sanitiseSvg('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>'),
      /DOCTYPE or entities/
    )
    assert.throws(() => sanitiseSvg('<html><body/></html>'), /not an SVG image/)
    assert.throws(() => sanitiseSvg('<svg'), /not readable as SVG/)
  })

  test('logo files: PNG kept as is, SVG cleaned, others and oversize refused', ({ assert }) => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(100)])
    assert.equal(checkLogo(png, 'logo.png').ext, 'png')
    const svg = checkLogo(Buffer.from(HOSTILE), 'logo.svg')
    assert.equal(svg.ext, 'svg')
    assert.notInclude(svg.data.toString(), 'script')
    assert.throws(() => checkLogo(Buffer.from('GIF89a....'), 'logo.gif'), /PNG or SVG/)
    assert.throws(
      () => checkLogo(Buffer.concat([png, Buffer.alloc(600 * 1024)]), 'big.png'),
      /limit is 512 KB/
    )
    assert.throws(() => checkLogo(Buffer.alloc(0), 'x.png'), /empty/)
  })
})
