import router from '@adonisjs/core/services/router'
import { editors, staff } from '#start/route_guards'

const EmployeesController = () => import('#controllers/employees_controller')
const DepartmentsController = () => import('#controllers/departments_controller')
const ServicesController = () => import('#controllers/services_controller')
const AssignmentsController = () => import('#controllers/assignments_controller')
const UnallocatedController = () => import('#controllers/unallocated_controller')
const AllocationController = () => import('#controllers/allocation_controller')
const StaffImportsController = () => import('#controllers/staff_imports_controller')

const id = router.matchers.number()

// Reading: any staff user.
router
  .group(() => {
    router.get('/customers/:id/employees', [EmployeesController, 'index']).where('id', id)
    router.get('/customers/:id/departments', [DepartmentsController, 'index']).where('id', id)
    router.get('/customers/:id/services', [ServicesController, 'index']).where('id', id)
    router.get('/customers/:id/unallocated', [UnallocatedController, 'index']).where('id', id)
    router.get('/customers/:id/allocation', [AllocationController, 'show']).where('id', id)
    router.get('/employees/:id', [EmployeesController, 'show']).where('id', id)
    router.get('/services/:id', [ServicesController, 'show']).where('id', id)
    router.get('/unallocated', [UnallocatedController, 'overview'])
  })
  .use(staff)

// Changing: admin and billing.
router
  .group(() => {
    router.post('/customers/:id/employees', [EmployeesController, 'store']).where('id', id)
    router.put('/employees/:id', [EmployeesController, 'update']).where('id', id)
    router.delete('/employees/:id', [EmployeesController, 'destroy']).where('id', id)

    router.post('/customers/:id/departments', [DepartmentsController, 'store']).where('id', id)
    router.put('/departments/:id', [DepartmentsController, 'update']).where('id', id)
    router.delete('/departments/:id', [DepartmentsController, 'destroy']).where('id', id)

    router.post('/customers/:id/services', [ServicesController, 'store']).where('id', id)
    router.put('/services/:id', [ServicesController, 'update']).where('id', id)
    router.delete('/services/:id', [ServicesController, 'destroy']).where('id', id)
    router.post('/services/:id/assign', [AssignmentsController, 'assign']).where('id', id)
    router.post('/services/:id/end', [AssignmentsController, 'end']).where('id', id)
    router.delete('/assignments/:id', [AssignmentsController, 'destroy']).where('id', id)

    router
      .post('/customers/:id/unallocated/assign', [UnallocatedController, 'assign'])
      .where('id', id)
    router
      .post('/customers/:id/unallocated/create-employees', [
        UnallocatedController,
        'createEmployees',
      ])
      .where('id', id)
    router
      .post('/customers/:id/unallocated/auto-match', [UnallocatedController, 'autoMatch'])
      .where('id', id)
    router
      .post('/customers/:id/unallocated/rules', [UnallocatedController, 'setRule'])
      .where('id', id)

    router.get('/customers/:id/staff-import', [StaffImportsController, 'show']).where('id', id)
    router
      .post('/customers/:id/staff-import/preview', [StaffImportsController, 'preview'])
      .where('id', id)
    router
      .post('/customers/:id/staff-import/apply', [StaffImportsController, 'apply'])
      .where('id', id)
  })
  .use(editors)
