import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Invoice from '#models/invoice'
import InvoiceLine from '#models/invoice_line'
import { createRun } from '#billing/runs'
import { setMiAddon, MI_ADDON_DESCRIPTION } from '#insights/mi_addon'
import { truncateAll } from '#tests/helpers/migrate'
import { makeBillingFixture } from './fixtures.js'

test.group('The MI add-on on the invoice', (group) => {
  group.each.setup(() => truncateAll())

  test('switched on mid-month, it is billed in advance, pro-rata, as its own line', async ({
    assert,
  }) => {
    const f = await makeBillingFixture({ employees: 1, recordsPerService: 1, period: '2026-10' })
    // Billed in advance: October's invoice carries November's recurring charges. On from 16 Nov: 15 of 30 days.
    await setMiAddon(
      f.customer.id,
      true,
      null,
      DateTime.fromISO('2026-11-16T09:00:00Z', { zone: 'utc' }) as DateTime<true>
    )
    const { run } = await createRun({ period: '2026-10', customerIds: [f.customer.id] })
    const invoice = await Invoice.query().where('billing_run_id', run.id).firstOrFail()
    const lines = await InvoiceLine.query()
      .where('invoice_id', invoice.id)
      .where('category', 'mi_addon')
    assert.lengthOf(lines, 1)
    assert.equal(lines[0].kind, 'recurring')
    assert.include(lines[0].description, MI_ADDON_DESCRIPTION)
    // £50.00 × 15/30 = £25.00 exactly.
    assert.equal(lines[0].amountMinor, 2500)
    assert.equal(
      invoice.subtotalMinor,
      (await InvoiceLine.query().where('invoice_id', invoice.id)).reduce(
        (s, l) => s + l.amountMinor,
        0
      )
    )
  })
})
