import type { ConnectorDefinition, ParserContext, RowParser } from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import { asteriskConnector } from '#connectors/asterisk'
import { csvProfileConnector } from '#connectors/csv_profile'
import { m365Connector } from '#connectors/m365'
import { ukStandardCdrConnector } from '#connectors/uk_standard_cdr'
import MappingProfile from '#models/mapping_profile'

/** Every connector type. A new type is one new file implementing ConnectorDefinition, listed here. */
export const CONNECTOR_TYPES: ConnectorDefinition[] = [
  asteriskConnector,
  csvProfileConnector,
  ukStandardCdrConnector,
  m365Connector,
]

export function connectorType(type: string): ConnectorDefinition {
  const def = CONNECTOR_TYPES.find((d) => d.type === type)
  if (!def) throw new ImportFailure(`unknown connector type "${type}"`)
  return def
}

/** The formats a file can be imported in by hand (`usage:import --format`, the upload form): Asterisk, or a saved mapping profile. */
export async function manualImportFormats(): Promise<{ value: string; label: string }[]> {
  const profiles = await MappingProfile.query().orderBy('name').select('name')
  return [
    { value: 'asterisk', label: asteriskConnector.label },
    { value: 'uk-standard-cdr', label: ukStandardCdrConnector.label },
    ...profiles.map((p) => ({ value: `profile:${p.name}`, label: `Mapping profile: ${p.name}` })),
  ]
}

/** True for "asterisk" and for "profile:NAME" of a saved profile. */
export async function isManualImportFormat(format: string): Promise<boolean> {
  if (format === 'asterisk' || format === 'uk-standard-cdr') return true
  if (!format.startsWith('profile:')) return false
  return Boolean(await MappingProfile.findBy('name', format.slice('profile:'.length)))
}

/** The parser for a manual import's --format: "asterisk", "uk-standard-cdr" or "profile:NAME". */
export async function parserForFormat(format: string, ctx: ParserContext): Promise<RowParser> {
  if (format === 'asterisk') return asteriskConnector.createParser!(ctx)
  if (format === 'uk-standard-cdr') return ukStandardCdrConnector.createParser!(ctx)
  if (format.startsWith('profile:')) {
    return csvProfileConnector.createParser!({
      ...ctx,
      settings: { ...ctx.settings, profile: format.slice('profile:'.length) },
    })
  }
  throw new ImportFailure(
    `unknown format "${format}" (use asterisk, uk-standard-cdr or profile:NAME)`
  )
}
