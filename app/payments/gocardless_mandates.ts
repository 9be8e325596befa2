import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { audit } from '#lib/audit'
import { sqlTime } from '#lib/db_helpers'
import {
  GoCardlessError,
  gcRequest,
  gocardlessConfig,
  type GoCardlessConfig,
} from '#payments/gocardless_client'
import { PaymentError } from '#payments/errors'

/**
 * A customer's Direct Debit mandate: entered from an existing GoCardless mandate id (checked with
 * GET /mandates/:id), or set up through GoCardless's hosted redirect flow (POST /redirect_flows, the
 * customer fills in GoCardless's page, then POST /redirect_flows/:id/actions/complete gives the mandate).
 */

const USABLE = new Set(['pending_customer_approval', 'pending_submission', 'submitted', 'active'])

/** GoCardless refused or could not be reached: a clear message for the person, nothing saved. */
function refused(error: unknown): never {
  if (error instanceof GoCardlessError) throw new PaymentError(error.message, null, 'state')
  throw error
}

export function requireConfig(): GoCardlessConfig {
  const config = gocardlessConfig()
  if (!config)
    throw new PaymentError('GoCardless is not set up (GOCARDLESS_ACCESS_TOKEN)', null, 'state')
  return config
}

async function saveMandate(
  customerId: number,
  values: Record<string, unknown>,
  userId: number | null | undefined,
  action: string
) {
  await db.transaction(async (trx) => {
    const now = sqlTime()
    await trx
      .knexQuery()
      .table('direct_debit_mandates')
      .insert({ customer_id: customerId, created_at: now, updated_at: now, ...values })
      .onConflict('customer_id')
      .merge({ ...values, updated_at: now })
    await audit(
      {
        userId,
        action,
        subjectType: 'customer',
        subjectId: customerId,
        changes: { mandate_id: values.mandate_id ?? null, status: values.status },
      },
      trx
    )
  })
}

export async function enterMandate(customerId: number, mandateId: string, userId?: number | null) {
  const id = mandateId.trim()
  if (!/^MD[0-9A-Z]{4,30}$/i.test(id))
    throw new PaymentError('A GoCardless mandate id looks like MD000123ABC', 'mandateId')
  const config = requireConfig()
  const { mandates } = await gcRequest(config, 'GET', `/mandates/${encodeURIComponent(id)}`).catch(
    (error) => {
      throw new PaymentError(
        error.status === 404 ? `GoCardless has no mandate ${id}` : error.message,
        'mandateId'
      )
    }
  )
  if (!USABLE.has(mandates.status))
    throw new PaymentError(`Mandate ${id} is ${mandates.status}; it cannot be charged`, 'mandateId')
  await saveMandate(
    customerId,
    {
      mandate_id: mandates.id,
      status: 'active',
      scheme: mandates.scheme ?? null,
      redirect_flow_id: null,
      session_token: null,
    },
    userId,
    'direct_debit.mandate_enter'
  )
  return mandates.id as string
}

/** Starts GoCardless's hosted flow; returns the URL to send the customer (or staff member) to. */
export async function startRedirectFlow(
  customerId: number,
  successUrl: string,
  userId?: number | null
) {
  const config = requireConfig()
  const customer = await db
    .from('customers')
    .where('id', customerId)
    .select('name', 'billing_email', 'account_number')
    .first()
  if (!customer) throw new PaymentError('Customer not found', null, 'not_found')
  const sessionToken = randomBytes(18).toString('hex')
  const { redirect_flows: flow } = await gcRequest<any>(config, 'POST', '/redirect_flows', {
    redirect_flows: {
      description: `Direct Debit for account ${customer.account_number}`,
      session_token: sessionToken,
      success_redirect_url: successUrl,
      prefilled_customer: {
        company_name: customer.name,
        email: customer.billing_email ?? undefined,
      },
    },
  }).catch(refused)
  // A mandate already in use keeps collecting until the new one is complete.
  const current = await activeMandate(customerId)
  const values = current
    ? { redirect_flow_id: flow.id, session_token: sessionToken, status: 'active' }
    : {
        mandate_id: null,
        status: 'pending',
        redirect_flow_id: flow.id,
        session_token: sessionToken,
      }
  await saveMandate(customerId, values, userId, 'direct_debit.redirect_start')
  return flow.redirect_url as string
}

/** The customer came back from GoCardless: complete the flow with our session token and keep the mandate. */
export async function completeRedirectFlow(
  customerId: number,
  redirectFlowId: string,
  userId?: number | null
) {
  const config = requireConfig()
  const pending = await db
    .from('direct_debit_mandates')
    .where('customer_id', customerId)
    .where('redirect_flow_id', redirectFlowId)
    .first()
  if (!pending?.session_token)
    throw new PaymentError('No Direct Debit set-up is waiting for this customer', null, 'state')
  const { redirect_flows: flow } = await gcRequest(
    config,
    'POST',
    `/redirect_flows/${encodeURIComponent(redirectFlowId)}/actions/complete`,
    { data: { session_token: pending.session_token } }
  ).catch(refused)
  await saveMandate(
    customerId,
    {
      mandate_id: flow.links.mandate,
      status: 'active',
      redirect_flow_id: flow.id,
      session_token: null,
    },
    userId,
    'direct_debit.redirect_complete'
  )
  return flow.links.mandate as string
}

export async function activeMandate(customerId: number): Promise<string | null> {
  const row = await db
    .from('direct_debit_mandates')
    .where('customer_id', customerId)
    .where('status', 'active')
    .select('mandate_id')
    .first()
  return row?.mandate_id ?? null
}
