import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

const WebhooksController = () => import('#controllers/webhooks_controller')
const id = router.matchers.number()

router.get('/webhooks', [WebhooksController, 'index']).use(staff)
router.post('/webhooks', [WebhooksController, 'store']).use(editors)
router.get('/webhooks/:id', [WebhooksController, 'show']).where('id', id).use(staff)
router.put('/webhooks/:id', [WebhooksController, 'update']).where('id', id).use(editors)
router.delete('/webhooks/:id', [WebhooksController, 'destroy']).where('id', id).use(editors)
router
  .post('/webhooks/:id/rotate-secret', [WebhooksController, 'rotate'])
  .where('id', id)
  .use(editors)
router.post('/webhooks/:id/test', [WebhooksController, 'test']).where('id', id).use(editors)
router
  .post('/webhook-deliveries/:deliveryId/replay', [WebhooksController, 'replay'])
  .where('deliveryId', id)
  .use(editors)
