import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

const CustomersController = () => import('#controllers/customers_controller')

router.group(() => {
  router.get('/customers/new', [CustomersController, 'create']).use(editors)
  router.post('/customers', [CustomersController, 'store']).use(editors)
  router
    .get('/customers/:id/edit', [CustomersController, 'edit'])
    .where('id', router.matchers.number())
    .use(editors)
  router
    .put('/customers/:id', [CustomersController, 'update'])
    .where('id', router.matchers.number())
    .use(editors)
  router.get('/customers', [CustomersController, 'index']).use(staff)
  router
    .get('/customers/:id', [CustomersController, 'show'])
    .where('id', router.matchers.number())
    .use(staff)
})

// Recurring charges (line rental, licences, support …): viewers read, admin and billing change manual ones.
const RecurringChargesController = () => import('#controllers/recurring_charges_controller')
router
  .get('/customers/:id/recurring-charges', [RecurringChargesController, 'index'])
  .where('id', router.matchers.number())
  .use(staff)
router
  .post('/customers/:id/recurring-charges', [RecurringChargesController, 'store'])
  .where('id', router.matchers.number())
  .use(editors)
router
  .put('/recurring-charges/:id', [RecurringChargesController, 'update'])
  .where('id', router.matchers.number())
  .use(editors)
router
  .post('/recurring-charges/:id/end', [RecurringChargesController, 'end'])
  .where('id', router.matchers.number())
  .use(editors)
router
  .delete('/recurring-charges/:id', [RecurringChargesController, 'destroy'])
  .where('id', router.matchers.number())
  .use(editors)
