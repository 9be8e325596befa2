import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const AuditLogsController = () => import('#controllers/audit_logs_controller')

router.get('/audit', [AuditLogsController, 'index']).use([middleware.auth(), middleware.role({ roles: ['admin'] })])

const UsersController = () => import('#controllers/users_controller')
const admins = [middleware.auth(), middleware.role({ roles: ['admin'] })]
router.get('/users', [UsersController, 'index']).use(admins)
router.post('/users', [UsersController, 'store']).use(admins)
router.put('/users/:id', [UsersController, 'update']).where('id', router.matchers.number()).use(admins)
