/*
 * The REST API, /api/v1 (docs/api.md). Its routes come from the operation table in
 * app/api/openapi.ts, the same table /api/v1/openapi.json is built from.
 */
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { apiTokens, staff } from '#start/route_guards'
import { openApiDocument, operations } from '#api/openapi'

const controllers = {
  customers: () => import('#controllers/api/customers_controller'),
  departments: () => import('#controllers/api/departments_controller'),
  employees: () => import('#controllers/api/employees_controller'),
  services: () => import('#controllers/api/services_controller'),
  usage: () => import('#controllers/api/usage_controller'),
  tariffs: () => import('#controllers/api/tariffs_controller'),
  billing_runs: () => import('#controllers/api/billing_runs_controller'),
  invoices: () => import('#controllers/api/invoices_controller'),
  payments: () => import('#controllers/api/payments_controller'),
} as const

router
  .group(() => {
    for (const op of operations) {
      const [name, action] = op.handler.split('.') as [keyof typeof controllers, string]
      const route = router[op.method](op.path.replace(/\{(\w+)\}/g, ':$1'), [
        controllers[name],
        action,
      ] as never)
      for (const param of op.path.matchAll(/\{(\w+)\}/g))
        route.where(param[1], router.matchers.number())
      // Uploads are streamed by their controller: a refused request must still have its body read.
      route.use(
        op.body?.type === 'multipart' && op.handler === 'usage.upload'
          ? [middleware.drainUnreadBody(), ...apiTokens]
          : apiTokens
      )
    }
    router.get('/openapi.json', ({ request }) =>
      openApiDocument(`${request.protocol()}://${request.host()}`)
    )
  })
  .prefix('/api/v1')

// The token page of the admin UI: any staff user manages their own tokens (admins see everyone's).
const TokensPageController = () => import('#controllers/api/tokens_page_controller')
router.get('/api-tokens', [TokensPageController, 'index']).use(staff)
router.post('/api-tokens', [TokensPageController, 'store']).use(staff)
router
  .delete('/api-tokens/:id', [TokensPageController, 'destroy'])
  .where('id', router.matchers.number())
  .use(staff)
