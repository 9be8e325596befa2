import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

const PaymentsController = () => import('#controllers/payments_controller')
const CustomerAccountsController = () => import('#controllers/customer_accounts_controller')
const BankStatementsController = () => import('#controllers/bank_statements_controller')
const AgedDebtController = () => import('#controllers/aged_debt_controller')
const DunningController = () => import('#controllers/dunning_controller')

const num = router.matchers.number()

router.get('/payments', [PaymentsController, 'index']).use(staff)
router.get('/payments/new', [PaymentsController, 'create']).use(editors)
router.post('/payments', [PaymentsController, 'store']).use(editors)
router.get('/payments/:id', [PaymentsController, 'show']).where('id', num).use(staff)
router
  .post('/payments/:id/allocations', [PaymentsController, 'allocate'])
  .where('id', num)
  .use(editors)

router
  .get('/customers/:id/account', [CustomerAccountsController, 'show'])
  .where('id', num)
  .use(staff)
router
  .get('/customers/:id/statement', [CustomerAccountsController, 'statement'])
  .where('id', num)
  .use(staff)
router
  .post('/customers/:id/credit-notes/:noteId/apply', [
    CustomerAccountsController,
    'applyCreditNote',
  ])
  .where('id', num)
  .where('noteId', num)
  .use(editors)

router.get('/bank-statements', [BankStatementsController, 'index']).use(staff)
router.post('/bank-statements', [BankStatementsController, 'store']).use(editors)
router.post('/bank-statements/profiles', [BankStatementsController, 'storeProfile']).use(editors)
router.get('/bank-statements/unmatched', [BankStatementsController, 'unmatched']).use(staff)
router.get('/bank-statements/:id', [BankStatementsController, 'show']).where('id', num).use(staff)
router
  .get('/bank-statements/lines/:id', [BankStatementsController, 'line'])
  .where('id', num)
  .use(editors)
router
  .post('/bank-statements/lines/:id/allocate', [BankStatementsController, 'allocateLine'])
  .where('id', num)
  .use(editors)
router
  .post('/bank-statements/lines/:id/ignore', [BankStatementsController, 'ignoreLine'])
  .where('id', num)
  .use(editors)

router.get('/aged-debt', [AgedDebtController, 'index']).use(staff)
router.get('/aged-debt/export', [AgedDebtController, 'export']).use(staff)
router.get('/aged-debt/customers/:id', [AgedDebtController, 'customer']).where('id', num).use(staff)

router.get('/dunning', [DunningController, 'index']).use(staff)
router.put('/dunning', [DunningController, 'update']).use(editors)
router
  .post('/dunning/reminders/:id/resend', [DunningController, 'resend'])
  .where('id', num)
  .use(editors)

const GoCardlessWebhooksController = () => import('#controllers/gocardless_webhooks_controller')
const DirectDebitController = () => import('#controllers/direct_debit_controller')
router.post('/webhooks/gocardless', [GoCardlessWebhooksController, 'handle'])
router
  .post('/customers/:id/direct-debit/mandate', [DirectDebitController, 'enter'])
  .where('id', num)
  .use(editors)
router
  .post('/customers/:id/direct-debit/redirect', [DirectDebitController, 'start'])
  .where('id', num)
  .use(editors)
router
  .get('/customers/:id/direct-debit/complete', [DirectDebitController, 'complete'])
  .where('id', num)
  .use(editors)
