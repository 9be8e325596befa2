import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

const AccountingExportsController = () => import('#controllers/accounting_exports_controller')
const AccountingSettingsController = () => import('#controllers/accounting_settings_controller')

router.get('/accounting/exports', [AccountingExportsController, 'index']).use(staff)
router.get('/accounting/exports/download', [AccountingExportsController, 'download']).use(staff)
router.get('/accounting/settings', [AccountingSettingsController, 'show']).use(staff)
router.put('/accounting/settings', [AccountingSettingsController, 'update']).use(editors)
