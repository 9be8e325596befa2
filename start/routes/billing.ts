import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

const BillingRunsController = () => import('#controllers/billing_runs_controller')
const InvoicesController = () => import('#controllers/invoices_controller')
const CustomerInvoicesController = () => import('#controllers/customer_invoices_controller')
const CreditNotesController = () => import('#controllers/credit_notes_controller')
const DeliveriesController = () => import('#controllers/deliveries_controller')
const JobsController = () => import('#controllers/jobs_controller')
const SettingsController = () => import('#controllers/settings_controller')

const id = { id: router.matchers.number() }

router.get('/billing-runs', [BillingRunsController, 'index']).use(staff)
router.get('/billing-runs/new', [BillingRunsController, 'create']).use(editors)
router.get('/billing-runs/guards', [BillingRunsController, 'guards']).use(staff)
router.put('/billing-runs/guards', [BillingRunsController, 'saveGuards']).use(editors)
router.post('/billing-runs', [BillingRunsController, 'store']).use(editors)
router.get('/billing-runs/:id', [BillingRunsController, 'show']).where('id', id.id).use(staff)
router
  .post('/billing-runs/:id/regenerate', [BillingRunsController, 'regenerate'])
  .where('id', id.id)
  .use(editors)
router
  .post('/billing-runs/:id/finalize', [BillingRunsController, 'finalize'])
  .where('id', id.id)
  .use(editors)
router
  .post('/billing-runs/:id/invoices/:invoiceId/acknowledge', [BillingRunsController, 'acknowledge'])
  .where('id', id.id)
  .where('invoiceId', id.id)
  .use(editors)
router
  .post('/billing-runs/:id/cancel', [BillingRunsController, 'cancel'])
  .where('id', id.id)
  .use(editors)
router
  .post('/billing-runs/:id/send', [BillingRunsController, 'send'])
  .where('id', id.id)
  .use(editors)

router
  .get('/customers/:id/invoices', [CustomerInvoicesController, 'index'])
  .where('id', id.id)
  .use(staff)
router.get('/invoices/:id', [InvoicesController, 'show']).where('id', id.id).use(staff)
router.get('/invoices/:id/pdf', [InvoicesController, 'pdf']).where('id', id.id).use(staff)
router.get('/invoices/:id/html', [InvoicesController, 'html']).where('id', id.id).use(staff)
router
  .post('/invoices/:id/credit-notes', [CreditNotesController, 'store'])
  .where('id', id.id)
  .use(editors)
router
  .get('/credit-notes/:id/pdf', [InvoicesController, 'creditNotePdf'])
  .where('id', id.id)
  .use(staff)
router
  .post('/credit-notes/:id/send', [CreditNotesController, 'send'])
  .where('id', id.id)
  .use(editors)

router.get('/deliveries', [DeliveriesController, 'index']).use(staff)
router
  .post('/deliveries/:id/resend', [DeliveriesController, 'resend'])
  .where('id', id.id)
  .use(editors)

router.get('/jobs', [JobsController, 'index']).use(staff)

router.get('/settings', [SettingsController, 'show']).use(staff)
router.put('/settings', [SettingsController, 'update']).use(editors)

const BrandingController = () => import('#controllers/branding_controller')
router.get('/settings/branding', [BrandingController, 'show']).use(staff)
router.put('/settings/branding', [BrandingController, 'update']).use(editors)
router.post('/settings/branding/logo', [BrandingController, 'uploadLogo']).use(editors)
router.delete('/settings/branding/logo', [BrandingController, 'deleteLogo']).use(editors)
router.get('/settings/branding/preview', [BrandingController, 'preview']).use(staff)
// Public: the login page and the portal show the reseller's logo.
router.get('/branding/logo', [BrandingController, 'logo'])
