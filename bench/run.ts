/*
 * `npm run bench`: runs every bench/*.bench.ts file in turn and prints one JSON
 * object with each file's figures under its name. BENCH_ONLY=name runs one.
 */
import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.env.BENCH_ONLY?.split(',')
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort()
const results: Record<string, unknown> = {}
for (const file of files) {
  const name = file.replace('.bench.ts', '')
  if (only && !only.includes(name)) continue
  process.stderr.write(`bench: ${name}…\n`)
  const mod = await import(pathToFileURL(join(here, file)).href)
  results[name] = await mod.run()
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n')
process.exit(0)
