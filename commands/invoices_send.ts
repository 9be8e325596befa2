import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * node ace invoices:send --run ID [--json]
 * Emails the finalized invoices of a run (PDF attached), one delivery per invoice.
 * An invoice whose email was accepted is never sent again. A delivery left in `sending` by a
 * sender that died mid-send is never resent automatically (the server may have accepted it):
 * it is reported here as stuck, with exit code 1, until a person resends it or marks it.
 */
export default class InvoicesSend extends BaseCommand {
  static commandName = 'invoices:send'
  static description = 'Email the finalized invoices of a billing run'
  static options: CommandOptions = { startApp: true }

  @flags.number({ flagName: 'run', description: 'Billing run id', required: true })
  declare runId: number

  @flags.string({
    description: 'Send through this SMTP server (host:port) instead of the configured mailer',
  })
  declare smtp?: string

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { default: BillingRun } = await import('#models/billing_run')
    const { default: Invoice } = await import('#models/invoice')
    const { queueDeliveries, deliverDue, isResendable, STALE_SENDING_MINUTES } =
      await import('#deliveries/deliveries')
    const { DateTime } = await import('luxon')
    const { stderrProgress } = await import('#billing/progress')
    const run = await BillingRun.find(this.runId)
    if (!run) return this.fail(`no billing run #${this.runId}`)
    if (run.status !== 'finalized')
      return this.fail(`billing run #${run.id} is ${run.status}: finalize it first`)
    const invoiceIds = (await Invoice.query().where('billing_run_id', run.id).select('id')).map(
      (i) => i.id
    )
    const queued = await queueDeliveries({ runId: run.id })
    let mailer
    if (this.smtp) {
      const { smtpMailer } = await import('#mails/mailers')
      const [host, port] = this.smtp.split(':')
      mailer = smtpMailer({ host, port: Number(port || 25) })
    }
    const result = await deliverDue({ invoiceIds, mailer, onProgress: stderrProgress('sending') })
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const rows = await db
      .from('deliveries')
      .join('invoices', 'invoices.id', 'deliveries.invoice_id')
      .whereIn('deliveries.invoice_id', invoiceIds)
      .select(
        'invoices.number',
        'deliveries.to_address',
        'deliveries.status',
        'deliveries.attempts',
        'deliveries.message_id',
        'deliveries.last_error',
        'deliveries.next_attempt_at',
        'deliveries.updated_at'
      )
      .orderBy('invoices.number')
    const updatedAt = (v: unknown) =>
      v
        ? DateTime.fromJSDate(v instanceof Date ? v : new Date(String(v).replace(' ', 'T') + 'Z'))
        : null
    const stuck = rows.filter(
      (r) =>
        r.status === 'sending' &&
        isResendable({ status: r.status, updatedAt: updatedAt(r.updated_at) })
    )
    const out = {
      run_id: run.id,
      queued: queued.queued,
      sent: result.sent,
      retrying: result.retrying,
      failed: result.failed,
      deliveries: rows.map((r) => ({
        invoice: r.number,
        to: r.to_address,
        status: r.status,
        attempts: Number(r.attempts),
        message_id: r.message_id,
        error: r.last_error,
      })),
      stuck: stuck.map((r) => ({
        invoice: r.number,
        to: r.to_address,
        since: updatedAt(r.updated_at)!.toUTC().toFormat("yyyy-MM-dd HH:mm 'UTC'"),
      })),
    }
    if (this.json) {
      process.stdout.write(JSON.stringify(out) + '\n')
    } else {
      for (const d of out.deliveries)
        this.logger.info(
          `${d.invoice} → ${d.to || '(no address)'}: ${d.status}${d.error ? ` (${d.error})` : ''}`
        )
      for (const d of out.stuck) {
        this.logger.warning(
          `${d.invoice} → ${d.to}: stuck in "sending" since ${d.since} (the sender stopped mid-send; the mail server may have accepted it). Check with the customer, then resend it on the deliveries page.`
        )
      }
      this.logger.success(
        `run #${run.id}: ${out.sent} sent now, ${out.retrying} to retry, ${out.failed} failed, ${out.stuck.length} stuck in sending (over ${STALE_SENDING_MINUTES} minutes)`
      )
    }
    if (result.failed || out.stuck.length) this.exitCode = 1
  }

  private fail(message: string) {
    this.exitCode = 1
    if (this.json) process.stdout.write(JSON.stringify({ error: message }) + '\n')
    else this.logger.error(message)
  }
}
