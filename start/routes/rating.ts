import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

const TariffsController = () => import('#controllers/tariffs_controller')
const ReratesController = () => import('#controllers/rerates_controller')
const ExceptionsController = () => import('#controllers/exceptions_controller')

const id = router.matchers.number()

router.get('/tariffs', [TariffsController, 'index']).use(staff)
router.post('/tariffs', [TariffsController, 'store']).use(editors)
router.get('/tariffs/:id', [TariffsController, 'show']).where('id', id).use(staff)
router.put('/tariffs/:id', [TariffsController, 'update']).where('id', id).use(editors)
router.delete('/tariffs/:id', [TariffsController, 'destroy']).where('id', id).use(editors)
router.post('/tariffs/:id/upload', [TariffsController, 'upload']).where('id', id).use(editors)
router.post('/tariffs/:id/import', [TariffsController, 'import']).where('id', id).use(editors)
router.post('/tariffs/:id/rates', [TariffsController, 'storeRate']).where('id', id).use(editors)
router
  .delete('/tariffs/:id/rates/:rateId', [TariffsController, 'destroyRate'])
  .where('id', id)
  .where('rateId', id)
  .use(editors)
router
  .post('/tariffs/:id/allowances', [TariffsController, 'storeAllowance'])
  .where('id', id)
  .use(editors)
router
  .delete('/tariffs/:id/allowances/:allowanceId', [TariffsController, 'destroyAllowance'])
  .where('id', id)
  .where('allowanceId', id)
  .use(editors)
router.post('/tariffs/:id/customers', [TariffsController, 'assign']).where('id', id).use(editors)
router.post('/tariffs/:id/rerate', [TariffsController, 'rerate']).where('id', id).use(editors)

router.get('/exceptions', [ExceptionsController, 'index']).use(staff)
router.get('/rerates', [ReratesController, 'index']).use(staff)
router.get('/rerates/:id', [ReratesController, 'show']).where('id', id).use(staff)
router.post('/exceptions/rates', [ExceptionsController, 'storeRate']).use(editors)
router.post('/exceptions/rerate', [ExceptionsController, 'rerate']).use(editors)
