import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { ParsedRecord } from '#connectors/types'
import type { StoredOutcome } from '#connectors/usage_sink'
import { utcMs } from '#connectors/record_router'
import { MappingIndex } from '#consolidation/mapping_index'
import { RollupCells } from '#consolidation/rollup_cells'
import { loadCustomerTariffs, type CustomerTariffs } from '#rating/customer_tariffs'
import { buyDeckOfSettings, type BuyDeck } from '#rating/buy_decks'
import { recordOutcome } from '#rating/record_outcome'

/**
 * Maps and rates the records of an import while its file is read, before they reach the
 * database: the customer's service and the employee holding it at the record's time
 * (MappingIndex, mapUsage's rule), the cost from the connector's buy deck and the price from
 * the customer's tariff on the record's local day (recordOutcome, rateUsage's rule), and sums
 * the rollups (RollupCells). Everything is loaded once per import; decks are compiled once
 * per deck version (deck_store's cache).
 *
 * A customer whose tariff has allowances is left to the batch pass after commit: allowances
 * are drawn in start-time order across the whole month, which a file in any order cannot give.
 */
export class UsageEnricher {
  readonly rollups = new RollupCells()
  /** Customers whose records were stored pending (the batch pass maps and rates them after commit). */
  readonly deferred = new Set<number>()

  private constructor(
    private mapping: MappingIndex,
    private tariffs: Map<number, CustomerTariffs>,
    private buy: BuyDeck | undefined,
    private caseInsensitive: boolean
  ) {}

  /** `customerId` null: a reseller-wide file (every customer). */
  static async load(
    client: QueryClientContract,
    customerId: number | null,
    connectorSettings: unknown
  ): Promise<UsageEnricher> {
    const q = client.from('customers').select('id', 'time_zone')
    if (customerId !== null) q.where('id', customerId)
    const zones = new Map<number, string>()
    for (const c of await q) zones.set(Number(c.id), String(c.time_zone || 'Europe/London'))
    const mapping = await MappingIndex.load(
      client,
      customerId === null ? null : [customerId],
      client.dialect.name === 'mysql'
    )
    const tariffs = await loadCustomerTariffs(client, zones)
    const buy = connectorSettings
      ? ((await buyDeckOfSettings(connectorSettings, client)) ?? undefined)
      : undefined
    return new UsageEnricher(mapping, tariffs, buy, client.dialect.name === 'mysql')
  }

  /** The record's final columns, or null when its customer's records wait for the batch pass. */
  outcome(customerId: number, r: ParsedRecord): StoredOutcome | null {
    const customer = this.tariffs.get(customerId)
    if (!customer || customer.hasAllowances) {
      this.deferred.add(customerId)
      return null
    }
    const startMs = utcMs(r.occurredAt)
    const links = this.mapping.links(
      customerId,
      this.caseInsensitive ? r.identifier.toLowerCase() : r.identifier,
      startMs
    )
    const rated = recordOutcome(
      customer.on(customer.clock.localDay(startMs)),
      this.buy,
      customer.clock,
      {
        startMs,
        category: r.category,
        destination: r.destination,
        destinationName: null,
        durationS: r.durationS,
        volumeBytes: r.volumeBytes,
        quantity: r.quantity,
        costE4: r.costE4,
        costOrigin: null,
      }
    )
    const o: StoredOutcome = {
      service_id: links.serviceId,
      employee_id: links.employeeId,
      department_id: links.departmentId,
      price_e4: rated.price_e4,
      tariff_id: rated.tariff_id,
      rate_id: rated.rate_id,
      allowance_used: rated.allowance_used,
      rating_status: rated.rating_status,
      unrated_reason: rated.unrated_reason,
      category: rated.category,
      destination_name: rated.destination_name,
      cost_e4: rated.cost_e4,
      cost_origin: rated.cost_origin,
    }
    this.rollups.add({
      customerId,
      period: r.period,
      departmentId: o.department_id,
      employeeId: o.employee_id,
      serviceId: o.service_id,
      category: o.category,
      destination: r.destination,
      destinationName: o.destination_name,
      durationS: r.durationS,
      volumeBytes: r.volumeBytes,
      costE4: o.cost_e4,
      priceE4: o.price_e4,
    })
    return o
  }
}
