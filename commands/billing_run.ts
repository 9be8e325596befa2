import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * node ace billing:run --period YYYY-MM [--customer ACCOUNT] [--finalize] [--json]
 * → {run_id, invoices: [{customer, number, subtotal, tax, total, pdf}]}
 *
 * Crash-safe: run again after a crash (kill -9, power cut), it finishes the period's draft run
 * instead of starting another (building the invoices it lacks, then finalizing with --finalize),
 * and says exactly why when it cannot. Any failure exits 1.
 */
export default class BillingRunCommand extends BaseCommand {
  static commandName = 'billing:run'
  static description =
    'Build draft invoices for a period (optionally finalize them) and render their PDFs'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Usage period YYYY-MM', required: true })
  declare period: string

  @flags.number({
    flagName: 'run',
    description: 'Act on this existing draft run (with --finalize) instead of creating one',
  })
  declare runId?: number

  @flags.string({
    description: 'Customer account number (default: every customer not yet billed for the period)',
  })
  declare customer?: string

  @flags.boolean({ description: 'Finalize the run: assign invoice numbers' })
  declare finalize: boolean

  @flags.boolean({ description: 'Finalize even though some usage is unrated (it stays unbilled)' })
  declare allowUnrated: boolean

  @flags.boolean({
    flagName: 'open-period',
    description: "Bill a period that has not ended yet in the customer's time zone",
  })
  declare openPeriod: boolean

  @flags.string({
    flagName: 'acknowledge',
    description:
      "Acknowledge every review flag of the run's drafts with this reason (before --finalize)",
  })
  declare acknowledge?: string

  @flags.boolean({ description: 'Skip PDF rendering' })
  declare skipPdf: boolean

  @flags.boolean({ description: 'Print one JSON object on stdout' })
  declare json: boolean

  async run() {
    const { default: Customer } = await import('#models/customer')
    const { createRun, completeRun, finalizeRun, BillingError } = await import('#billing/runs')
    const { faultPoint } = await import('#lib/fault_points')
    const { storeInvoicePdfs, localPath } = await import('#documents/invoice_pdf')
    const { stderrProgress } = await import('#billing/progress')
    const { formatScaled } = await import('#lib/money')
    const { default: Invoice } = await import('#models/invoice')
    try {
      let customerIds: number[] | null = null
      if (this.customer) {
        const c = await Customer.findBy('accountNumber', this.customer)
        if (!c) return this.fail(`no customer with account number "${this.customer}"`)
        customerIds = [c.id]
      }
      let created: {
        run: { id: number }
        invoices: { id: number }[]
        skipped: { account: string; reason: string }[]
      }
      const { default: BillingRun } = await import('#models/billing_run')
      let resumed: number | null = null
      if (this.runId) {
        const existing = await BillingRun.find(this.runId)
        if (!existing || existing.period !== this.period)
          return this.fail(`no billing run #${this.runId} for ${this.period}`)
        created =
          existing.status === 'draft'
            ? await completeRun(existing.id, stderrProgress('building invoices'))
            : {
                run: existing,
                invoices: await Invoice.query().where('billing_run_id', existing.id).select('id'),
                skipped: [],
              }
      } else {
        // A draft of this period (for these customers) is a run that was stopped part-way or awaits review: finish it.
        const drafts = (
          await BillingRun.query()
            .where('period', this.period)
            .where('status', 'draft')
            .orderBy('id')
        ).filter((r) => !customerIds || (r.customerIds ?? []).includes(customerIds[0]))
        if (drafts.length > 1) {
          return this.fail(
            `${drafts.length} draft billing runs for ${this.period} (${drafts.map((r) => `#${r.id}`).join(', ')}): finish one with --run ID, or cancel the others`
          )
        }
        if (drafts.length === 1) {
          resumed = drafts[0].id
          process.stderr.write(
            `finishing draft billing run #${resumed} for ${this.period} (left by an earlier run)\n`
          )
          created = await completeRun(resumed, stderrProgress('building invoices'))
        } else {
          created = await createRun({
            period: this.period,
            customerIds,
            openPeriod: this.openPeriod,
            onProgress: stderrProgress('building invoices'),
          })
          const billedElsewhere = created.skipped.filter((s) =>
            s.reason.startsWith('already in run')
          )
          if (!created.invoices.length && billedElsewhere.length) {
            await BillingRun.query().where('id', created.run.id).delete()
            return this.fail(
              `nothing to bill for ${this.period}: ${billedElsewhere.map((s) => `${s.account} is ${s.reason}`).join('; ')}`
            )
          }
        }
      }
      const { acknowledgeRunFlags, flagsByInvoice } = await import('#billing/flags')
      if (this.acknowledge !== undefined)
        await acknowledgeRunFlags(created.run.id, this.acknowledge, null)
      faultPoint('billing_run.after_build')
      for (const s of created.skipped) process.stderr.write(`skipped ${s.account}: ${s.reason}\n`)
      const ids = created.invoices.map((i) => i.id)
      if (this.finalize) {
        try {
          await finalizeRun(created.run.id, { allowUnrated: this.allowUnrated, holdFlagged: true })
        } catch (error) {
          if (error instanceof BillingError)
            return this.fail(
              `${error.message} (billing run #${created.run.id} stays a draft)`,
              await flagsByInvoice(ids)
            )
          throw error
        }
      }
      const rendering = stderrProgress('rendering PDFs')
      const pdfs = this.skipPdf
        ? new Map()
        : await storeInvoicePdfs(ids, {
            onProgress: (done, total) => {
              rendering(done, total)
              faultPoint('billing_run.mid_pdfs')
            },
          })
      const invoices = await Invoice.query().whereIn('id', ids).preload('customer')
      const flagged = await flagsByInvoice(ids)
      invoices.sort((a, b) => a.customer.accountNumber.localeCompare(b.customer.accountNumber))
      const out = {
        run_id: created.run.id,
        status: this.finalize ? 'finalized' : 'draft',
        period: this.period,
        invoices: invoices.map((i) => ({
          customer: i.customer.accountNumber,
          number: i.number,
          subtotal: formatScaled(i.subtotalMinor, 2),
          tax: formatScaled(i.taxMinor, 2),
          total: formatScaled(i.totalMinor, 2),
          pdf: pdfs.get(i.id) ? localPath(pdfs.get(i.id)!.key) : null,
          // only when there are flags, so the documented shape stays as it was for a clean run
          ...(flagged.get(i.id)?.length
            ? {
                flags: flagged.get(i.id)!.map((f) => ({
                  kind: f.kind,
                  message: f.message,
                  acknowledged: Boolean(f.acknowledged),
                })),
              }
            : {}),
        })),
        skipped: created.skipped.map((s) => ({ customer: s.account, reason: s.reason })),
        ...(resumed ? { resumed_run: resumed } : {}),
      }
      if (this.json) {
        process.stdout.write(JSON.stringify(out) + '\n')
        return
      }
      this.logger.success(
        `billing run #${out.run_id} (${out.status}) for ${out.period}: ${out.invoices.length} invoices`
      )
      for (const i of out.invoices) {
        this.logger.info(
          `${i.customer} ${i.number ?? 'draft'} net ${i.subtotal} VAT ${i.tax} total ${i.total} ${i.pdf ?? ''}`
        )
        for (const f of i.flags ?? [])
          this.logger.warning(
            `  flag ${f.kind}${f.acknowledged ? ' (acknowledged)' : ''}: ${f.message}`
          )
      }
    } catch (error) {
      if (error instanceof BillingError || (error as Error)?.name === 'FlagError')
        return this.fail((error as Error).message)
      throw error
    }
  }

  private fail(
    message: string,
    flagged?: Map<number, { kind: string; message: string; acknowledged: unknown }[]>
  ) {
    this.exitCode = 1
    const open = flagged
      ? [...flagged.entries()].flatMap(([invoiceId, list]) =>
          list
            .filter((f) => !f.acknowledged)
            .map((f) => ({ invoice_id: invoiceId, kind: f.kind, message: f.message }))
        )
      : undefined
    if (this.json)
      process.stdout.write(
        JSON.stringify(open?.length ? { error: message, flags: open } : { error: message }) + '\n'
      )
    else {
      this.logger.error(message)
      for (const f of open ?? []) this.logger.warning(`  flag ${f.kind}: ${f.message}`)
    }
  }
}
