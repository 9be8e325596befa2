import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const UnknownServicesController = () => import('#controllers/unknown_services_controller')
const AccountAliasesController = () => import('#controllers/account_aliases_controller')

const staff = [middleware.auth(), middleware.role({ roles: ['admin', 'billing', 'viewer'] })]
const editors = [middleware.auth(), middleware.role({ roles: ['admin', 'billing'] })]
const id = router.matchers.number()

// The reseller-level queue of identifiers of reseller-wide feeds that no customer owns yet.
router.get('/unknown-services', [UnknownServicesController, 'index']).use(staff)
router.post('/unknown-services/assign', [UnknownServicesController, 'assign']).use(editors)

// Supplier account aliases, on the customer page.
router
  .post('/customers/:id/account-aliases', [AccountAliasesController, 'store'])
  .where('id', id)
  .use(editors)
router
  .delete('/customers/:id/account-aliases/:aliasId', [AccountAliasesController, 'destroy'])
  .where('id', id)
  .where('aliasId', id)
  .use(editors)
