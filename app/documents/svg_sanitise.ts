import { create } from 'xmlbuilder2'

/**
 * Makes an uploaded SVG logo safe to embed in invoices, the portal and the login page: only drawing
 * elements and presentation attributes survive. No script, no foreignObject, no event handlers, no
 * style sheets, no links or references outside the file (href must point inside it: "#id").
 * Pure; throws an Error with a message a person can act on when the file is not an SVG at all.
 */

const ELEMENTS = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'defs',
  'lineargradient',
  'radialgradient',
  'stop',
  'clippath',
  'mask',
  'pattern',
  'title',
  'desc',
  'use',
  'symbol',
])

const ATTRIBUTES = new Set([
  'id',
  'class',
  'viewbox',
  'width',
  'height',
  'x',
  'y',
  'x1',
  'x2',
  'y1',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'd',
  'points',
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-dasharray',
  'stroke-dashoffset',
  'opacity',
  'transform',
  'offset',
  'stop-color',
  'stop-opacity',
  'gradientunits',
  'gradienttransform',
  'spreadmethod',
  'fx',
  'fy',
  'clip-path',
  'clip-rule',
  'mask',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'letter-spacing',
  'preserveaspectratio',
  'xmlns',
  'version',
  'patternunits',
  'patterncontentunits',
  'href',
  'xlink:href',
  'xmlns:xlink',
  'style',
  'role',
  'aria-label',
  'aria-hidden',
])

/** Values that may only point inside the document: url(#id) in paint/clip attributes, "#id" in href. */
const EXTERNAL_URL = /url\(\s*(['"]?)(?!#)/i

export interface SanitisedSvg {
  svg: string
  removed: string[]
}

type XNode = {
  nodeType: number
  nodeName: string
  childNodes: ArrayLike<XNode>
  attributes?: ArrayLike<{ name: string; value: string }>
  removeChild(n: XNode): void
  removeAttribute(name: string): void
  parentNode: XNode | null
}

function clean(node: XNode, removed: string[]) {
  for (const child of Array.from(node.childNodes)) {
    // 1 element, 3 text, 4 CDATA; comments, processing instructions and doctype go.
    if (child.nodeType === 3) continue
    if (child.nodeType !== 1 || !ELEMENTS.has(child.nodeName.toLowerCase().replace(/^svg:/, ''))) {
      removed.push(
        child.nodeType === 1
          ? `<${child.nodeName}>`
          : child.nodeType === 8
            ? 'comment'
            : `node type ${child.nodeType}`
      )
      node.removeChild(child)
      continue
    }
    for (const attr of Array.from(child.attributes ?? [])) {
      const name = attr.name.toLowerCase()
      const value = attr.value.trim()
      const local = name === 'href' || name === 'xlink:href'
      const ok =
        ATTRIBUTES.has(name) &&
        !name.startsWith('on') &&
        !(local && !value.startsWith('#')) &&
        !EXTERNAL_URL.test(value) &&
        !/expression\(|javascript:|@import/i.test(value)
      if (!ok) {
        removed.push(`${name}="${value.slice(0, 40)}"`)
        child.removeAttribute(attr.name)
      }
    }
    clean(child, removed)
  }
}

export function sanitiseSvg(text: string): SanitisedSvg {
  if (/<!DOCTYPE|<!ENTITY/i.test(text))
    throw new Error(
      'The SVG declares a DOCTYPE or entities, which logos never need: export it again as plain SVG'
    )
  let doc
  try {
    doc = create(text)
  } catch (error) {
    throw new Error(`The file is not readable as SVG: ${(error as Error).message}`)
  }
  const root = (doc.node as unknown as { documentElement: XNode | null }).documentElement
  if (!root || root.nodeName.toLowerCase() !== 'svg')
    throw new Error('The file is not an SVG image (its first element is not <svg>)')
  const removed: string[] = []
  // The root itself: same attribute rules.
  const holder = {
    childNodes: [root],
    removeChild: () => {
      throw new Error('The SVG root element is not allowed')
    },
  } as unknown as XNode
  clean(holder, removed)
  return { svg: doc.end({ headless: true }), removed }
}
