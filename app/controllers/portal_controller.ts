import type { HttpContext } from '@adonisjs/core/http'
import { sendDownload } from '#lib/downloads'
import { insightsQueryValidator } from '#validators/insights'
import { invoicePdfBytes } from '#documents/invoice_pdf'
import Customer from '#models/customer'
import Employee from '#models/employee'
import Invoice from '#models/invoice'
import CreditNote from '#models/credit_note'
import { creditNotePdfBytes } from '#documents/credit_note_pdf'
import {
  dashboardView,
  employeeView,
  employeesView,
  statementPdf,
  type Links,
} from '#insights/pages'
import { exportFormat, sendExport } from '#insights/export'
import { invoicesTable, creditNotesTable } from '#insights/views'
import { portalInvoicesProps } from '#insights/portal_views'

/** Every insights view's query string, validated here (the HTTP layer). */
const query = (ctx: HttpContext) => insightsQueryValidator.validate(ctx.request.qs())

const links: Links = {
  base: '/portal',
  statement: (employeeId) => `/portal/employees/${employeeId}/statement.pdf`,
}

/**
 * The customer portal. Every query is scoped by the logged-in user's customer; records of another
 * customer are refused by PortalPolicy and answered with 404, exactly like ids that do not exist.
 */
export default class PortalController {
  private async ownCustomer({ auth }: HttpContext) {
    const user = auth.getUserOrFail()
    return Customer.findOrFail(user.customerId ?? 0)
  }

  /** An employee of the user's own customer, or null (→ 404). */
  private async ownEmployee(ctx: HttpContext) {
    const id = Number(ctx.params.employeeId)
    if (!Number.isSafeInteger(id) || id <= 0) return null
    const employee = await Employee.find(id)
    if (!employee || (await ctx.bouncer.with('PortalPolicy').denies('view', employee))) return null
    return employee
  }

  async dashboard(ctx: HttpContext) {
    return dashboardView(
      ctx,
      await query(ctx),
      'portal/dashboard',
      await this.ownCustomer(ctx),
      links
    )
  }

  async employees(ctx: HttpContext) {
    return employeesView(
      ctx,
      await query(ctx),
      'portal/employees',
      await this.ownCustomer(ctx),
      links
    )
  }

  async employee(ctx: HttpContext) {
    const customer = await this.ownCustomer(ctx)
    // 0 = the customer's own unallocated usage (no employee); scoped by customer like the rest.
    if (ctx.params.employeeId === '0')
      return employeeView(ctx, await query(ctx), 'portal/employee', customer, null, 0, links)
    const employee = await this.ownEmployee(ctx)
    if (!employee) return ctx.response.notFound('Not found')
    await employee.load('department')
    return employeeView(
      ctx,
      await query(ctx),
      'portal/employee',
      customer,
      employee,
      employee.id,
      links
    )
  }

  async statement(ctx: HttpContext) {
    const customer = await this.ownCustomer(ctx)
    const employee = await this.ownEmployee(ctx)
    if (!employee) return ctx.response.notFound('Not found')
    return statementPdf(ctx, await query(ctx), customer, employee)
  }

  async invoices(ctx: HttpContext) {
    const props = await portalInvoicesProps(await this.ownCustomer(ctx))
    const format = exportFormat(ctx.request.qs().format)
    if (format) {
      // XLSX holds both sheets; a CSV is one table, the credit notes when asked for (`table=credit_notes`).
      const creditNotesOnly = format === 'csv' && ctx.request.qs().table === 'credit_notes'
      const tables = creditNotesOnly
        ? [creditNotesTable(props.creditNotes)]
        : [invoicesTable(props.invoices), creditNotesTable(props.creditNotes)]
      return sendExport(
        ctx.response,
        format,
        `${props.customer.accountNumber}-${creditNotesOnly ? 'credit-notes' : 'invoices'}`,
        tables
      )
    }
    return ctx.inertia.render('portal/invoices', props)
  }

  async invoicePdf(ctx: HttpContext) {
    const id = Number(ctx.params.invoiceId)
    const invoice = Number.isSafeInteger(id) && id > 0 ? await Invoice.find(id) : null
    if (!invoice || (await ctx.bouncer.with('PortalPolicy').denies('viewInvoice', invoice))) {
      return ctx.response.notFound('Not found')
    }
    // The stored PDF (rendered again by app/documents if the file is missing).
    const { bytes } = await invoicePdfBytes(invoice.id)
    return sendDownload(ctx.response, {
      filename: `${invoice.number ?? `invoice-${invoice.id}`}.pdf`,
      contentType: 'application/pdf',
      body: Buffer.from(bytes),
    })
  }

  /** A credit note's PDF: only one against the user's own finalized invoice; anything else is 404. */
  async creditNotePdf(ctx: HttpContext) {
    const id = Number(ctx.params.creditNoteId)
    const note = Number.isSafeInteger(id) && id > 0 ? await CreditNote.find(id) : null
    const invoice = note ? await Invoice.find(note.invoiceId) : null
    if (
      !note ||
      !invoice ||
      (await ctx.bouncer.with('PortalPolicy').denies('viewInvoice', invoice))
    ) {
      return ctx.response.notFound('Not found')
    }
    const { bytes } = await creditNotePdfBytes(note.id)
    return sendDownload(ctx.response, {
      filename: `${note.number}.pdf`,
      contentType: 'application/pdf',
      body: Buffer.from(bytes),
    })
  }
}
