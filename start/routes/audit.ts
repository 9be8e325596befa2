import router from '@adonisjs/core/services/router'
import { admins } from '#start/route_guards'

const AuditLogsController = () => import('#controllers/audit_logs_controller')

router.get('/audit', [AuditLogsController, 'index']).use(admins)

const UsersController = () => import('#controllers/users_controller')
router.get('/users', [UsersController, 'index']).use(admins)
router.post('/users', [UsersController, 'store']).use(admins)
router
  .put('/users/:id', [UsersController, 'update'])
  .where('id', router.matchers.number())
  .use(admins)
