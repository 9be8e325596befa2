import { mkdir, rm } from 'node:fs/promises'
import type { Group } from '@japa/runner/core'
import { truncateAll } from '#tests/helpers/migrate'

/** Every test of the group starts with empty tables and an empty `dir`, which is removed afterwards. */
export function cleanSlate(group: Group, dir: string) {
  group.each.setup(async () => {
    await truncateAll()
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
  })
  group.teardown(async () => {
    await rm(dir, { recursive: true, force: true })
  })
}
