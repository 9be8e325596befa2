import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

const InsightsController = () => import('#controllers/insights_controller')
const PortalAdminController = () => import('#controllers/portal_admin_controller')

/*
 * Management information for staff. Every view also answers ?format=csv|xlsx.
 */
router
  .group(() => {
    router.get('/insights', [InsightsController, 'index']).as('insights.index')
    router.get('/insights/margin', [InsightsController, 'margin']).as('insights.margin')
    router.get('/customers/:id/insights', [InsightsController, 'show']).as('insights.show')
    router
      .get('/customers/:id/insights/employees', [InsightsController, 'employees'])
      .as('insights.employees')
    router
      .get('/customers/:id/insights/employees/:employeeId', [InsightsController, 'employee'])
      .as('insights.employee')
    router.get('/customers/:id/insights/waste', [InsightsController, 'waste']).as('insights.waste')
    router
      .get('/customers/:id/insights/anomalies', [InsightsController, 'anomalies'])
      .as('insights.anomalies')
    router
      .get('/customers/:id/employees/:employeeId/statement.pdf', [InsightsController, 'statement'])
      .as('insights.statement')
    router.get('/customers/:id/portal', [PortalAdminController, 'show']).as('portal_admin.show')
  })
  .where('id', router.matchers.number())
  .use(staff)

router
  .group(() => {
    router
      .post('/customers/:id/portal/mi-addon', [PortalAdminController, 'addon'])
      .as('portal_admin.addon')
    router
      .post('/customers/:id/portal/invites', [PortalAdminController, 'invite'])
      .as('portal_admin.invite')
    router
      .post('/customers/:id/portal/users/:userId/remove', [PortalAdminController, 'removeUser'])
      .as('portal_admin.remove_user')
  })
  .where('id', router.matchers.number())
  .use(editors)
