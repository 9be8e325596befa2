import { createServer, type IncomingMessage, type Server } from 'node:http'
import { createHmac } from 'node:crypto'
import type { AddressInfo } from 'node:net'

/**
 * A local HTTP server speaking the parts of GoCardless's API Tollgate uses: GET /mandates/:id,
 * POST /redirect_flows, POST /redirect_flows/:id/actions/complete, POST /payments (Idempotency-Key:
 * a repeated key answers 409 idempotent_creation_conflict naming the first payment), GET /payments/:id.
 * It checks the bearer token and GoCardless-Version header, answers GoCardless's error bodies, and
 * signs webhooks it sends (HMAC-SHA256 of the body in Webhook-Signature).
 */

export interface FakeGoCardless {
  url: string
  token: string
  mandates: Map<
    string,
    { id: string; status: string; next_possible_charge_date: string; scheme: string }
  >
  payments: Map<string, any>
  requests: { method: string; path: string; idempotencyKey: string | null; body: any }[]
  /** Answer the next POST /payments with this status (e.g. 500) once. */
  failNextPayment: number | null
  sendWebhook(
    target: string,
    events: any[],
    secret: string,
    signature?: string
  ): Promise<{ status: number; body: string }>
  close(): Promise<void>
}

const error = (code: number, type: string, message: string, errors: any[] = []) => ({
  error: {
    code,
    type,
    message,
    documentation_url: `https://developer.gocardless.com/api-reference#${type}`,
    request_id: `req-${Date.now()}`,
    errors,
  },
})

async function readBody(req: IncomingMessage) {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text ? JSON.parse(text) : null
}

export async function startFakeGoCardless(): Promise<FakeGoCardless> {
  let seq = 0
  const keys = new Map<string, string>()
  const fake: FakeGoCardless = {
    url: '',
    token: 'sandbox_test_token',
    mandates: new Map(),
    payments: new Map(),
    requests: [],
    failNextPayment: null,
    sendWebhook: async (target, events, secret, signature) => {
      const body = JSON.stringify({ events, meta: { webhook_id: `WB${++seq}` } })
      const sig = signature ?? createHmac('sha256', secret).update(body).digest('hex')
      const res = await fetch(target, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Webhook-Signature': sig,
          'Origin': 'https://api.gocardless.com',
        },
        body,
      })
      return { status: res.status, body: await res.text() }
    },
    close: async () => {},
  }
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(json))
    }
    const body = await readBody(req).catch(() => undefined)
    const path = (req.url ?? '').split('?')[0]
    const idempotencyKey = (req.headers['idempotency-key'] as string) ?? null
    fake.requests.push({ method: req.method!, path, idempotencyKey, body })
    if (req.headers.authorization !== `Bearer ${fake.token}`)
      return send(
        401,
        error(401, 'invalid_api_usage', 'Unauthorized', [
          { reason: 'unauthorized', message: 'Access token not found' },
        ])
      )
    if (req.headers['gocardless-version'] !== '2015-07-06')
      return send(400, error(400, 'invalid_api_usage', 'GoCardless-Version header missing'))
    if (body === undefined) return send(400, error(400, 'invalid_api_usage', 'Invalid JSON'))
    let m: RegExpExecArray | null
    if (req.method === 'GET' && (m = /^\/mandates\/([^/]+)$/.exec(path))) {
      const mandate = fake.mandates.get(decodeURIComponent(m[1]))
      return mandate
        ? send(200, {
            mandates: {
              ...mandate,
              links: { customer: 'CU1', creditor: 'CR1', customer_bank_account: 'BA1' },
            },
          })
        : send(
            404,
            error(404, 'invalid_api_usage', 'Resource not found', [
              { reason: 'resource_not_found', message: 'Resource not found' },
            ])
          )
    }
    if (req.method === 'POST' && path === '/redirect_flows') {
      const id = `RE${String(++seq).padStart(6, '0')}`
      keys.set(`flow:${id}`, body.redirect_flows.session_token)
      return send(201, {
        redirect_flows: {
          id,
          description: body.redirect_flows.description,
          session_token: body.redirect_flows.session_token,
          success_redirect_url: body.redirect_flows.success_redirect_url,
          redirect_url: `${fake.url}/flow/${id}`,
          links: { creditor: 'CR1' },
        },
      })
    }
    if (
      req.method === 'POST' &&
      (m = /^\/redirect_flows\/([^/]+)\/actions\/complete$/.exec(path))
    ) {
      if (keys.get(`flow:${m[1]}`) !== body?.data?.session_token)
        return send(
          422,
          error(422, 'invalid_state', 'The session token does not match', [
            { reason: 'session_token_mismatch', message: 'session_token does not match' },
          ])
        )
      const mandateId = `MD${String(++seq).padStart(6, '0')}`
      fake.mandates.set(mandateId, {
        id: mandateId,
        status: 'pending_submission',
        next_possible_charge_date: '2026-01-01',
        scheme: 'bacs',
      })
      return send(200, {
        redirect_flows: {
          id: m[1],
          links: {
            creditor: 'CR1',
            mandate: mandateId,
            customer: 'CU1',
            customer_bank_account: 'BA1',
          },
          confirmation_url: `${fake.url}/flow/${m[1]}/success`,
        },
      })
    }
    if (req.method === 'POST' && path === '/payments') {
      if (fake.failNextPayment) {
        const status = fake.failNextPayment
        fake.failNextPayment = null
        return send(status, error(status, 'gocardless', 'Uh-oh! Something went wrong'))
      }
      const p = body?.payments ?? {}
      const mandate = fake.mandates.get(p.links?.mandate)
      if (!mandate)
        return send(
          422,
          error(422, 'validation_failed', 'Validation failed', [
            {
              field: 'links[mandate]',
              message: 'does not exist',
              request_pointer: '/payments/links/mandate',
            },
          ])
        )
      if (!Number.isInteger(p.amount) || p.amount <= 0)
        return send(
          422,
          error(422, 'validation_failed', 'Validation failed', [
            {
              field: 'amount',
              message: 'must be greater than 0',
              request_pointer: '/payments/amount',
            },
          ])
        )
      if (idempotencyKey && keys.has(`pay:${idempotencyKey}`)) {
        return send(
          409,
          error(
            409,
            'invalid_state',
            'A resource has already been created with this idempotency key',
            [
              {
                reason: 'idempotent_creation_conflict',
                message: 'A resource has already been created with this idempotency key',
                links: { conflicting_resource_id: keys.get(`pay:${idempotencyKey}`) },
              },
            ]
          )
        )
      }
      const id = `PM${String(++seq).padStart(6, '0')}`
      const payment = {
        id,
        amount: p.amount,
        currency: p.currency,
        charge_date: p.charge_date,
        description: p.description,
        metadata: p.metadata,
        status: 'pending_submission',
        links: { mandate: mandate.id, creditor: 'CR1' },
      }
      fake.payments.set(id, payment)
      if (idempotencyKey) keys.set(`pay:${idempotencyKey}`, id)
      return send(201, { payments: payment })
    }
    if (req.method === 'GET' && (m = /^\/payments\/([^/]+)$/.exec(path))) {
      const payment = fake.payments.get(m[1])
      return payment
        ? send(200, { payments: payment })
        : send(404, error(404, 'invalid_api_usage', 'Resource not found'))
    }
    return send(404, error(404, 'invalid_api_usage', 'Resource not found'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return fake
}
