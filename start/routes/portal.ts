import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { portalUsers } from '#start/route_guards'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import Customer from '#models/customer'

const PortalController = () => import('#controllers/portal_controller')
const PortalInviteController = () => import('#controllers/portal_invite_controller')

export const PORTAL_REFUSED =
  'Your company does not subscribe to the management information portal. Please contact your account manager.'

export const PORTAL_SUSPENDED =
  'Portal access for your company is suspended because of overdue invoices. It returns once they are paid; please contact your account manager.'

/** Portal users whose customer has no MI add-on (or is suspended by dunning) are logged out with a clear message. */
async function requireMiAddon(ctx: HttpContext, next: NextFn) {
  const user = ctx.auth.getUserOrFail()
  const customer = user.customerId ? await Customer.find(user.customerId) : null
  if (!customer || !customer.miAddon || customer.portalSuspendedAt) {
    await ctx.auth.use('web').logout()
    ctx.session.flash(
      'error',
      customer?.portalSuspendedAt && customer.miAddon ? PORTAL_SUSPENDED : PORTAL_REFUSED
    )
    return ctx.response.redirect('/login')
  }
  return next()
}

router
  .get('/portal/invite/:token', [PortalInviteController, 'show'])
  .as('portal.invite')
  .use(middleware.guest())
router.post('/portal/invite/:token', [PortalInviteController, 'store']).use(middleware.guest())

router
  .group(() => {
    router.get('/', [PortalController, 'dashboard']).as('portal.dashboard')
    router.get('/employees', [PortalController, 'employees']).as('portal.employees')
    router.get('/employees/:employeeId', [PortalController, 'employee']).as('portal.employee')
    router
      .get('/employees/:employeeId/statement.pdf', [PortalController, 'statement'])
      .as('portal.statement')
    router.get('/invoices', [PortalController, 'invoices']).as('portal.invoices')
    router
      .get('/invoices/:invoiceId/pdf', [PortalController, 'invoicePdf'])
      .as('portal.invoice_pdf')
    router
      .get('/credit-notes/:creditNoteId/pdf', [PortalController, 'creditNotePdf'])
      .as('portal.credit_note_pdf')
  })
  .prefix('/portal')
  .use([...portalUsers, requireMiAddon])
