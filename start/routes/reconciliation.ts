import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ReconciliationController = () => import('#controllers/reconciliation_controller')

const staff = [middleware.auth(), middleware.role({ roles: ['admin', 'billing', 'viewer'] })]
const editors = [middleware.auth(), middleware.role({ roles: ['admin', 'billing'] })]

router.get('/reconciliation', [ReconciliationController, 'show']).use(staff)
router.post('/reconciliation/suppliers/:connectorId/total', [ReconciliationController, 'supplierTotal']).where('connectorId', router.matchers.number()).use(editors)
router.post('/reconciliation/suppliers/:connectorId/bill-csv', [ReconciliationController, 'supplierBillCsv']).where('connectorId', router.matchers.number()).use(editors)
