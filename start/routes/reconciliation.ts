import router from '@adonisjs/core/services/router'
import { staff, editors } from '#start/route_guards'

const ReconciliationController = () => import('#controllers/reconciliation_controller')

router.get('/reconciliation', [ReconciliationController, 'show']).use(staff)
router
  .post('/reconciliation/suppliers/:connectorId/total', [ReconciliationController, 'supplierTotal'])
  .where('connectorId', router.matchers.number())
  .use(editors)
router
  .post('/reconciliation/suppliers/:connectorId/bill-csv', [
    ReconciliationController,
    'supplierBillCsv',
  ])
  .where('connectorId', router.matchers.number())
  .use(editors)
