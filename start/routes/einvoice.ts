import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

// E-invoices (UBL 2.1 / Peppol BIS Billing 3.0): downloads, customer and seller details, address review.
const Documents = () => import('#controllers/einvoice_documents_controller')
const Customers = () => import('#controllers/einvoice_customers_controller')
const Seller = () => import('#controllers/einvoice_seller_controller')
const id = router.matchers.number()

router.get('/invoices/:id/ubl', [Documents, 'invoice']).where('id', id).use(staff)
router.get('/credit-notes/:id/ubl', [Documents, 'creditNote']).where('id', id).use(staff)
router.get('/customers/:id/e-invoicing', [Customers, 'show']).where('id', id).use(editors)
router.put('/customers/:id/e-invoicing', [Customers, 'update']).where('id', id).use(editors)
router.get('/e-invoicing/address-review', [Customers, 'review']).use(staff)
router
  .post('/e-invoicing/address-review/:id/confirm', [Customers, 'confirm'])
  .where('id', id)
  .use(editors)
router.get('/settings/e-invoicing', [Seller, 'show']).use(staff)
router.put('/settings/e-invoicing', [Seller, 'update']).use(editors)
