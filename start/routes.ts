/*
 * Each area of the app keeps its routes in start/routes/<area>.ts.
 */
import router from '@adonisjs/core/services/router'
import './routes/auth.js'
import './routes/customers.js'
import './routes/audit.js'
import './routes/rating.js'
import './routes/connectors.js'
import './routes/consolidation.js'
import './routes/billing.js'
import './routes/reconciliation.js'
import './routes/insights.js'
import './routes/portal.js'
import './routes/routing.js'
import './routes/webhooks.js'
import './routes/payments.js'
import './routes/accounting.js'
import './routes/einvoice.js'
import './routes/api.js'

router.get('/health', async () => ({ ok: true }))
