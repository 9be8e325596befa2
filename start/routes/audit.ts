import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const AuditLogsController = () => import('#controllers/audit_logs_controller')

router.get('/audit', [AuditLogsController, 'index']).use([middleware.auth(), middleware.role({ roles: ['admin'] })])
