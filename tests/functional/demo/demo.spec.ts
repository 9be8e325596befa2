import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import { truncateAll } from '#tests/helpers/migrate'
import { startSmtpPeer } from '#tests/helpers/smtp_peer'

test.group('tollgate:demo', (group) => {
  group.each.setup(() => truncateAll())

  test('loads the demo and runs month end: records rated and allocated, invoices numbered, PDFs stored, emails sent', async ({
    assert,
  }) => {
    const smtp = await startSmtpPeer()
    try {
      const command = await ace.exec('tollgate:demo', [
        '--months',
        '1',
        '--smtp',
        `127.0.0.1:${smtp.port}`,
      ])
      assert.equal(command.exitCode, 0, String(command.error ?? ''))

      const employees = await db.from('employees').count('* as n').first()
      assert.equal(Number(employees.n), 200)

      const statuses = await db
        .from('usage_records')
        .select('rating_status')
        .count('* as n')
        .groupBy('rating_status')
      const byStatus = Object.fromEntries(statuses.map((r) => [r.rating_status, Number(r.n)]))
      assert.isAbove(byStatus.rated ?? 0, 1000)
      assert.notProperty(byStatus, 'pending')

      // The carrier bill names numbers nobody holds: they wait in the unallocated queue.
      const unallocated = await db
        .from('usage_records')
        .whereNull('employee_id')
        .count('* as n')
        .first()
      assert.isAbove(Number(unallocated.n), 0)

      const invoices = await db.from('invoices').orderBy('number')
      assert.lengthOf(invoices, 4)
      assert.deepEqual(
        invoices.map((i) => i.number),
        ['INV-000001', 'INV-000002', 'INV-000003', 'INV-000004']
      )
      for (const invoice of invoices) {
        assert.equal(invoice.status, 'finalized')
        assert.equal(
          Number(invoice.total_minor),
          Number(invoice.subtotal_minor) + Number(invoice.tax_minor)
        )
        assert.isTrue(await drive.use().exists(invoice.pdf_path))
      }

      // Every usage record on an invoice is priced, and the invoice lines add up to the subtotal.
      for (const invoice of invoices) {
        const lines = await db
          .from('invoice_lines')
          .where('invoice_id', invoice.id)
          .sum('amount_minor as total')
          .first()
        assert.equal(Number(lines.total), Number(invoice.subtotal_minor))
      }

      assert.lengthOf(smtp.messages, 4)
      const recipients = smtp.messages.flatMap((m) => m.to).sort()
      assert.include(recipients, 'accounts@acme-logistics.example')
      assert.include(smtp.messages[0].raw.toString('utf8'), 'application/pdf')

      const sent = await db.from('deliveries').where('status', 'sent').count('* as n').first()
      assert.equal(Number(sent.n), 4)
    } finally {
      await smtp.close()
    }
  }).timeout(300_000)
})
