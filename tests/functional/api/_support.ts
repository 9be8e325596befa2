import { writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import type { UserRole } from '#models/user'
import { makeUser } from '#tests/helpers/factories'

type Schema = Record<string, any>

/** A staff user and a real bearer token of theirs (through the provider the token page uses). */
export async function userWithToken(
  role: UserRole,
  abilities: string[] = ['read', 'write'],
  attrs: Partial<User> = {}
) {
  const user = await makeUser(role, attrs)
  const token = await User.accessTokens.create(user, abilities, { name: `${role} test` })
  return { user, token: token.value!.release() }
}

export async function writeTmp(name: string, text: string) {
  const dir = app.makePath('tmp', 'api-tests')
  await mkdir(dir, { recursive: true })
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

const typeOf = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v

/**
 * Problems of `value` against a JSON Schema of the OpenAPI document: $ref, allOf, oneOf, type
 * (with null), enum, required properties and the types of every property and item present.
 */
export function schemaProblems(
  value: unknown,
  schema: Schema,
  components: Record<string, Schema>,
  at = '$'
): string[] {
  if (schema.$ref)
    return schemaProblems(value, components[schema.$ref.split('/').pop()], components, at)
  if (schema.allOf)
    return schema.allOf.flatMap((s: Schema) => schemaProblems(value, s, components, at))
  if (schema.oneOf) {
    const fits = schema.oneOf.filter(
      (s: Schema) => schemaProblems(value, s, components, at).length === 0
    )
    return fits.length ? [] : [`${at}: matches none of oneOf`]
  }
  if (schema.enum && !schema.enum.includes(value))
    return [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`]
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type]
    const actual = typeOf(value)
    const ok = types.includes(actual) || (actual === 'integer' && types.includes('number'))
    if (!ok) return [`${at}: ${actual} where ${types.join('|')} is documented`]
  }
  const problems: string[] = []
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>
    for (const key of schema.required ?? [])
      if (!(key in obj) || obj[key] === undefined) problems.push(`${at}.${key}: missing`)
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (obj[key] !== undefined)
        problems.push(...schemaProblems(obj[key], sub as Schema, components, `${at}.${key}`))
    }
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((item, i) =>
      problems.push(...schemaProblems(item, schema.items, components, `${at}[${i}]`))
    )
  return problems
}
