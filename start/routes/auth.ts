import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { staff } from '#start/route_guards'

const SessionController = () => import('#controllers/session_controller')
const DashboardController = () => import('#controllers/dashboard_controller')

router.get('/login', [SessionController, 'create']).as('login').use(middleware.guest())
router.post('/login', [SessionController, 'store']).use(middleware.guest())
router.post('/logout', [SessionController, 'destroy']).use(middleware.auth())

router.get('/', [DashboardController, 'show']).as('dashboard').use(staff)
