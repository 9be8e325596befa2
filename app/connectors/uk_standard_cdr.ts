import type { ConnectorDefinition, ParserContext } from '#connectors/types'
import { ImportFailure } from '#connectors/types'
import { INTERNAL_SETTINGS, internalRules } from '#connectors/asterisk'
import { UkStandardCdrParser } from '#connectors/uk_standard_cdr_parser'
import { IANAZone } from 'luxon'

/**
 * UK Standard CDR v3.01 (FCS Billing Group): the call files and service-charge files UK
 * wholesalers deliver for all of a reseller's customers. Customer Identifier is the
 * record's account (for routing), Record ID its dedupe key, Salesprice the supplier's cost.
 */
export const ukStandardCdrConnector: ConnectorDefinition = {
  type: 'uk_standard_cdr',
  label: 'UK Standard CDR v3.01 (FCS)',
  transports: ['folder', 'sftp', 'https'],
  settings: [
    {
      key: 'timeZone',
      label: 'Time zone of the file',
      help: 'IANA zone of Call Date / Call Time; default Europe/London',
    },
    {
      key: 'currency',
      label: 'Currency of Salesprice',
      help: 'ISO code; rows in another currency are rejected (default GBP)',
    },
    {
      key: 'buyTariff',
      label: 'Buy deck (tariff name)',
      help: 'Costs records that come without a Salesprice',
    },
    ...INTERNAL_SETTINGS,
  ],
  formatName: () => 'uk-standard-cdr',
  async createParser(ctx: ParserContext) {
    const zone = String(ctx.settings.timeZone || 'Europe/London')
    if (!IANAZone.isValidZone(zone))
      throw new ImportFailure(`connector settings: unknown time zone "${zone}"`)
    const currency = String(ctx.settings.currency || 'GBP')
      .trim()
      .toUpperCase()
    if (!/^[A-Z]{3}$/.test(currency))
      throw new ImportFailure(
        `connector settings: currency "${currency}" is not a three-letter code`
      )
    return new UkStandardCdrParser({
      zone,
      periodZone: ctx.customer?.timeZone || zone,
      currency,
      internal: internalRules(ctx.settings),
    })
  },
}
