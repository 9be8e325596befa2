import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { editors, staff } from '#start/route_guards'

const ConnectorsController = () => import('#controllers/connectors_controller')
const ImportsController = () => import('#controllers/imports_controller')
const MappingProfilesController = () => import('#controllers/mapping_profiles_controller')

const id = router.matchers.number()

router.get('/connectors', [ConnectorsController, 'index']).use(staff)
router.get('/connectors/new', [ConnectorsController, 'create']).use(editors)
router.post('/connectors', [ConnectorsController, 'store']).use(editors)
router.post('/connectors/test', [ConnectorsController, 'testUnsaved']).use(editors)
router.get('/connectors/:id', [ConnectorsController, 'show']).where('id', id).use(staff)
router.get('/connectors/:id/edit', [ConnectorsController, 'edit']).where('id', id).use(editors)
router.put('/connectors/:id', [ConnectorsController, 'update']).where('id', id).use(editors)
router.delete('/connectors/:id', [ConnectorsController, 'destroy']).where('id', id).use(editors)
router.post('/connectors/:id/test', [ConnectorsController, 'test']).where('id', id).use(editors)
router.post('/connectors/:id/run', [ConnectorsController, 'run']).where('id', id).use(editors)

router.get('/mapping-profiles', [MappingProfilesController, 'index']).use(staff)
router.get('/mapping-profiles/new', [MappingProfilesController, 'create']).use(editors)
router.post('/mapping-profiles', [MappingProfilesController, 'store']).use(editors)
router.post('/mapping-profiles/preview', [MappingProfilesController, 'preview']).use(editors)
router
  .get('/mapping-profiles/:id/edit', [MappingProfilesController, 'edit'])
  .where('id', id)
  .use(editors)
router
  .put('/mapping-profiles/:id', [MappingProfilesController, 'update'])
  .where('id', id)
  .use(editors)

router.get('/imports', [ImportsController, 'index']).use(staff)
// Multipart body read by the controller, after auth and role (config/bodyparser.ts processManually).
router
  .post('/imports/upload', [ImportsController, 'upload'])
  .use([middleware.drainUnreadBody(), ...editors])
router.get('/imports/:id', [ImportsController, 'show']).where('id', id).use(staff)
router.get('/imports/:id/rejected.csv', [ImportsController, 'rejected']).where('id', id).use(staff)
router.get('/imports/:id/raw', [ImportsController, 'raw']).where('id', id).use(editors)
