import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const SessionController = () => import('#controllers/session_controller')
const DashboardController = () => import('#controllers/dashboard_controller')

router.get('/login', [SessionController, 'create']).as('login').use(middleware.guest())
router.post('/login', [SessionController, 'store']).use(middleware.guest())
router.post('/logout', [SessionController, 'destroy']).use(middleware.auth())

router
  .get('/', [DashboardController, 'show'])
  .as('dashboard')
  .use([middleware.auth(), middleware.role({ roles: ['admin', 'billing', 'viewer'] })])
