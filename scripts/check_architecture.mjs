#!/usr/bin/env node
// Architecture check (npm run lint:architecture): capability folders under app/ must form a graph
// without cycles, app/lib must stay a leaf, and no capability may reach into the HTTP layer.
// Static and dynamic imports both count: a dynamic import that dodges load order is still a dependency.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const appDir = join(root, 'app')
const httpLayer = new Set(['controllers', 'validators', 'middleware'])
/** Folders every layer may use: they import no capability themselves (checked below). */
const leaves = new Set(['lib'])

const aliases = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).imports
/** '#billing/' → 'billing' for aliases that point into app/. */
const aliasFolder = new Map()
for (const [alias, target] of Object.entries(aliases)) {
  const match = /^\.\/app\/([^/]+)\//.exec(target)
  if (match) aliasFolder.set(alias.replace('*', ''), match[1])
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sourceFiles(path)
    else if (/\.(ts|js|mjs)$/.test(name)) yield path
  }
}

const importPattern =
  /(?:from\s+|import\s*\(\s*(?:\/\*.*?\*\/\s*)?|import\s+)['"](#[^'"]+|\.{1,2}\/[^'"]+)['"]/g

function targetFolder(specifier, file) {
  if (specifier.startsWith('.')) {
    const resolved = relative(appDir, join(file, '..', specifier))
    return resolved.startsWith('..') ? null : resolved.split('/')[0]
  }
  for (const [prefix, folder] of aliasFolder) if (specifier.startsWith(prefix)) return folder
  return null
}

/** folder → folder → first file:line that makes the edge */
const edges = new Map()
const problems = []
for (const file of sourceFiles(appDir)) {
  const from = relative(appDir, file).split('/')[0]
  if (from === relative(appDir, file)) continue
  const lines = readFileSync(file, 'utf8').split('\n')
  lines.forEach((text, index) => {
    for (const match of text.matchAll(importPattern)) {
      const to = targetFolder(match[1], file)
      if (!to || to === from) continue
      const where = `${relative(root, file)}:${index + 1}`
      if (httpLayer.has(to) && !httpLayer.has(from)) {
        problems.push(`${where}: app/${from} imports the HTTP layer (app/${to})`)
      }
      if (leaves.has(from) && to !== 'models') {
        problems.push(`${where}: app/${from} must be a leaf but imports app/${to}`)
      }
      if (!edges.has(from)) edges.set(from, new Map())
      if (!edges.get(from).has(to)) edges.get(from).set(to, where)
    }
  })
}

// Tarjan's strongly connected components: every component of more than one folder is a cycle.
let counter = 0
const index = new Map()
const low = new Map()
const stack = []
const onStack = new Set()
const cycles = []
function visit(node) {
  index.set(node, counter)
  low.set(node, counter++)
  stack.push(node)
  onStack.add(node)
  for (const next of edges.get(node)?.keys() ?? []) {
    if (!index.has(next)) {
      visit(next)
      low.set(node, Math.min(low.get(node), low.get(next)))
    } else if (onStack.has(next)) {
      low.set(node, Math.min(low.get(node), index.get(next)))
    }
  }
  if (low.get(node) === index.get(node)) {
    const component = []
    let member
    do {
      member = stack.pop()
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1) cycles.push(component)
  }
}
for (const node of edges.keys()) if (!index.has(node)) visit(node)

for (const component of cycles) {
  const members = new Set(component)
  const witness = []
  for (const from of component) {
    for (const [to, where] of edges.get(from) ?? []) {
      if (members.has(to)) witness.push(`    app/${from} → app/${to}  (${where})`)
    }
  }
  problems.push(`folder cycle: ${component.sort().join(', ')}\n${witness.join('\n')}`)
}

if (problems.length > 0) {
  console.error(`architecture check failed (${problems.length}):\n` + problems.join('\n'))
  process.exit(1)
}
const folders = [...edges.keys()].sort()
console.log(
  `architecture check passed: ${folders.length} folders, no cycles, app/lib is a leaf, no capability imports the HTTP layer`
)
