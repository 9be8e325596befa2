import { bodies, one, page, schemas } from '#api/openapi_schemas'

/**
 * Every operation of /api/v1, once: start/routes/api.ts registers the routes from this table
 * and /api/v1/openapi.json is built from it, so the document cannot list a route that does not
 * exist nor miss one that does. `handler` is "<controller file in app/controllers/api>.<method>".
 */
type Schema = Record<string, unknown>
export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'delete'
  /** OpenAPI style, below /api/v1: /customers/{id} */
  path: string
  handler: string
  tag: string
  summary: string
  query?: Record<string, Schema>
  body?: { type: 'json' | 'multipart'; schema: Schema }
  status: number
  /** JSON schema of the answer; 'pdf' or 'ubl' for a document; null for no body (204). */
  response: Schema | 'pdf' | 'ubl' | null
}

const int = { type: 'integer' }
const pageQuery = {
  page: { type: 'integer', minimum: 1 },
  perPage: { type: 'integer', minimum: 1, maximum: 100 },
}
const search = { ...pageQuery, search: { type: 'string' } }
const json = (name: string) => ({ type: 'json' as const, schema: bodies[name] })

export const operations: ApiOperation[] = [
  {
    method: 'get',
    path: '/customers',
    handler: 'customers.index',
    tag: 'Customers',
    summary: 'List customers (search by name or account number)',
    query: search,
    status: 200,
    response: page('Customer'),
  },
  {
    method: 'post',
    path: '/customers',
    handler: 'customers.store',
    tag: 'Customers',
    summary: 'Create a customer',
    body: json('Customer'),
    status: 201,
    response: one('Customer'),
  },
  {
    method: 'get',
    path: '/customers/{id}',
    handler: 'customers.show',
    tag: 'Customers',
    summary: 'Read a customer',
    status: 200,
    response: one('Customer'),
  },
  {
    method: 'put',
    path: '/customers/{id}',
    handler: 'customers.update',
    tag: 'Customers',
    summary: 'Update a customer (all fields)',
    body: json('Customer'),
    status: 200,
    response: one('Customer'),
  },

  {
    method: 'get',
    path: '/customers/{id}/departments',
    handler: 'departments.index',
    tag: 'Departments',
    summary: "A customer's departments",
    query: pageQuery,
    status: 200,
    response: page('Department'),
  },
  {
    method: 'post',
    path: '/customers/{id}/departments',
    handler: 'departments.store',
    tag: 'Departments',
    summary: 'Add a department',
    body: json('Department'),
    status: 201,
    response: one('Department'),
  },
  {
    method: 'get',
    path: '/departments/{id}',
    handler: 'departments.show',
    tag: 'Departments',
    summary: 'Read a department',
    status: 200,
    response: one('Department'),
  },
  {
    method: 'put',
    path: '/departments/{id}',
    handler: 'departments.update',
    tag: 'Departments',
    summary: 'Rename a department',
    body: json('Department'),
    status: 200,
    response: one('Department'),
  },

  {
    method: 'get',
    path: '/customers/{id}/employees',
    handler: 'employees.index',
    tag: 'Employees',
    summary: "A customer's employees",
    query: { ...search, departmentId: int },
    status: 200,
    response: page('Employee'),
  },
  {
    method: 'post',
    path: '/customers/{id}/employees',
    handler: 'employees.store',
    tag: 'Employees',
    summary: 'Add an employee',
    body: json('Employee'),
    status: 201,
    response: one('Employee'),
  },
  {
    method: 'get',
    path: '/employees/{id}',
    handler: 'employees.show',
    tag: 'Employees',
    summary: 'Read an employee',
    status: 200,
    response: one('Employee'),
  },
  {
    method: 'put',
    path: '/employees/{id}',
    handler: 'employees.update',
    tag: 'Employees',
    summary: 'Update an employee (moving department re-allocates unbilled usage)',
    body: json('Employee'),
    status: 200,
    response: one('Employee'),
  },

  {
    method: 'get',
    path: '/customers/{id}/services',
    handler: 'services.index',
    tag: 'Services',
    summary: "A customer's services and who holds each now",
    query: { ...search, kind: { type: 'string' } },
    status: 200,
    response: page('Service'),
  },
  {
    method: 'post',
    path: '/customers/{id}/services',
    handler: 'services.store',
    tag: 'Services',
    summary: 'Add a service, optionally held by an employee from a date',
    body: json('Service'),
    status: 201,
    response: one('Service'),
  },
  {
    method: 'get',
    path: '/services/{id}',
    handler: 'services.show',
    tag: 'Services',
    summary: 'Read a service with its assignment history',
    status: 200,
    response: one('Service'),
  },
  {
    method: 'put',
    path: '/services/{id}',
    handler: 'services.update',
    tag: 'Services',
    summary: "Change a service's label",
    body: json('ServiceLabel'),
    status: 200,
    response: one('Service'),
  },
  {
    method: 'post',
    path: '/services/{id}/assign',
    handler: 'services.assign',
    tag: 'Assignments',
    summary: 'Give (or move) a service to an employee from a date (customer time zone)',
    body: json('Assign'),
    status: 201,
    response: one('Assignment'),
  },
  {
    method: 'post',
    path: '/services/{id}/end',
    handler: 'services.end',
    tag: 'Assignments',
    summary: 'End whoever holds the service on a date',
    body: json('EndAssignment'),
    status: 200,
    response: one('Assignment'),
  },

  {
    method: 'post',
    path: '/usage-imports',
    handler: 'usage.upload',
    tag: 'Usage',
    summary:
      'Upload a usage file (multipart); answers with the finished import summary (202 while still running)',
    body: { type: 'multipart', schema: bodies.UsageUpload },
    status: 201,
    response: one('ImportSummary'),
  },
  {
    method: 'get',
    path: '/usage-imports/{id}',
    handler: 'usage.showImport',
    tag: 'Usage',
    summary: "An import's summary",
    status: 200,
    response: one('ImportSummary'),
  },
  {
    method: 'get',
    path: '/usage-records',
    handler: 'usage.records',
    tag: 'Usage',
    summary: 'Usage records, newest first',
    query: {
      ...pageQuery,
      customerId: int,
      employeeId: int,
      period: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
    },
    status: 200,
    response: page('UsageRecord'),
  },
  {
    method: 'get',
    path: '/usage-records/{id}',
    handler: 'usage.record',
    tag: 'Usage',
    summary: 'One usage record',
    status: 200,
    response: one('UsageRecord'),
  },

  {
    method: 'get',
    path: '/tariffs',
    handler: 'tariffs.index',
    tag: 'Tariffs',
    summary: 'List tariffs',
    query: search,
    status: 200,
    response: page('Tariff'),
  },
  {
    method: 'get',
    path: '/tariffs/{id}',
    handler: 'tariffs.show',
    tag: 'Tariffs',
    summary: 'Read a tariff',
    status: 200,
    response: one('Tariff'),
  },
  {
    method: 'post',
    path: '/tariffs',
    handler: 'tariffs.store',
    tag: 'Tariffs',
    summary: 'Create a sell tariff (422 when the name is taken)',
    body: json('Tariff'),
    status: 201,
    response: one('Tariff'),
  },
  {
    method: 'put',
    path: '/tariffs/{id}',
    handler: 'tariffs.update',
    tag: 'Tariffs',
    summary: "Change a tariff's name, currency, default markup or description",
    body: json('Tariff'),
    status: 200,
    response: one('Tariff'),
  },
  {
    method: 'delete',
    path: '/tariffs/{id}',
    handler: 'tariffs.destroy',
    tag: 'Tariffs',
    summary:
      'Delete a tariff no customer, record or connector ever used (422 says which use holds it)',
    status: 204,
    response: null,
  },
  {
    method: 'get',
    path: '/tariffs/{id}/rates',
    handler: 'tariffs.rates',
    tag: 'Tariffs',
    summary: "A tariff's rates (search by destination or prefix)",
    query: search,
    status: 200,
    response: page('Rate'),
  },
  {
    method: 'post',
    path: '/tariffs/{id}/rates',
    handler: 'tariffs.storeRate',
    tag: 'Tariffs',
    summary: 'Add or replace a rate (same prefix, category and date)',
    body: json('Rate'),
    status: 201,
    response: one('Rate', { rerate: { type: ['object', 'null'] } }),
  },
  {
    method: 'post',
    path: '/tariffs/{id}/deck',
    handler: 'tariffs.importDeck',
    tag: 'Tariffs',
    summary: 'Import a rate deck CSV (all or nothing; 422 names file, line and field)',
    body: { type: 'multipart', schema: bodies.Deck },
    status: 200,
    response: one('DeckImport', { rerate: { type: ['object', 'null'] } }),
  },

  {
    method: 'get',
    path: '/billing-runs',
    handler: 'billing_runs.index',
    tag: 'Billing',
    summary: 'List billing runs',
    query: {
      ...pageQuery,
      period: { type: 'string' },
      status: { enum: ['draft', 'finalized', 'cancelled'] },
    },
    status: 200,
    response: page('BillingRun'),
  },
  {
    method: 'post',
    path: '/billing-runs',
    handler: 'billing_runs.store',
    tag: 'Billing',
    summary: 'Create a draft run for a period (409 when a customer is already billed)',
    body: json('BillingRun'),
    status: 201,
    response: one('BillingRun', { skipped: { type: 'array' } }),
  },
  {
    method: 'get',
    path: '/billing-runs/{id}',
    handler: 'billing_runs.show',
    tag: 'Billing',
    summary: 'Read a run with its invoice ids',
    status: 200,
    response: one('BillingRun'),
  },
  {
    method: 'post',
    path: '/invoices/{id}/acknowledge-flags',
    handler: 'invoices.acknowledge',
    tag: 'Billing',
    summary: "Acknowledge a draft invoice's review flags",
    body: json('Acknowledge'),
    status: 200,
    response: {
      type: 'object',
      required: ['data'],
      properties: {
        data: {
          type: 'object',
          required: ['invoiceId', 'acknowledged'],
          properties: { invoiceId: int, acknowledged: int },
        },
      },
    },
  },
  {
    method: 'post',
    path: '/billing-runs/{id}/finalize',
    handler: 'billing_runs.finalize',
    tag: 'Billing',
    summary:
      'Finalize a draft run: numbers, dates, PDFs (flagged invoices are held unless acknowledged)',
    body: json('Finalize'),
    status: 200,
    response: one('BillingRun'),
  },

  {
    method: 'get',
    path: '/invoices',
    handler: 'invoices.index',
    tag: 'Invoices',
    summary: 'List invoices',
    query: {
      ...pageQuery,
      customerId: int,
      period: { type: 'string' },
      status: { enum: ['draft', 'finalized'] },
    },
    status: 200,
    response: page('Invoice'),
  },
  {
    method: 'get',
    path: '/invoices/{id}',
    handler: 'invoices.show',
    tag: 'Invoices',
    summary: 'Read an invoice with its lines',
    status: 200,
    response: one('InvoiceDetail'),
  },
  {
    method: 'get',
    path: '/invoices/{id}/pdf',
    handler: 'invoices.pdf',
    tag: 'Invoices',
    summary: 'The invoice PDF',
    status: 200,
    response: 'pdf',
  },
  {
    method: 'get',
    path: '/invoices/{id}/ubl',
    handler: 'invoices.ubl',
    tag: 'Invoices',
    summary:
      'The invoice as a UBL 2.1 e-invoice (Peppol BIS Billing 3.0); 422 names what is missing',
    status: 200,
    response: 'ubl',
  },
  {
    method: 'post',
    path: '/invoices/{id}/credit-notes',
    handler: 'invoices.storeCreditNote',
    tag: 'Credit notes',
    summary: 'Credit a finalized invoice',
    body: json('CreditNote'),
    status: 201,
    response: one('CreditNote'),
  },
  {
    method: 'get',
    path: '/credit-notes',
    handler: 'invoices.creditNotes',
    tag: 'Credit notes',
    summary: 'List credit notes',
    query: { ...pageQuery, customerId: int },
    status: 200,
    response: page('CreditNote'),
  },
  {
    method: 'get',
    path: '/credit-notes/{id}',
    handler: 'invoices.creditNote',
    tag: 'Credit notes',
    summary: 'Read a credit note',
    status: 200,
    response: one('CreditNote'),
  },
  {
    method: 'get',
    path: '/credit-notes/{id}/pdf',
    handler: 'invoices.creditNotePdf',
    tag: 'Credit notes',
    summary: 'The credit note PDF',
    status: 200,
    response: 'pdf',
  },
  {
    method: 'get',
    path: '/credit-notes/{id}/ubl',
    handler: 'invoices.creditNoteUbl',
    tag: 'Credit notes',
    summary: 'The credit note as a UBL 2.1 credit note (Peppol BIS Billing 3.0)',
    status: 200,
    response: 'ubl',
  },

  {
    method: 'get',
    path: '/payments',
    handler: 'payments.index',
    tag: 'Payments',
    summary: 'List payments',
    query: { ...pageQuery, customerId: int },
    status: 200,
    response: page('Payment'),
  },
  {
    method: 'post',
    path: '/payments',
    handler: 'payments.store',
    tag: 'Payments',
    summary: 'Record a payment, optionally allocated to invoices',
    body: json('Payment'),
    status: 201,
    response: one('Payment'),
  },
  {
    method: 'get',
    path: '/payments/{id}',
    handler: 'payments.show',
    tag: 'Payments',
    summary: 'Read a payment',
    status: 200,
    response: one('Payment'),
  },

  {
    method: 'delete',
    path: '/tariffs/{id}/rates/{rateId}',
    handler: 'tariffs.destroyRate',
    tag: 'Tariffs',
    summary: 'Remove a rate',
    status: 204,
    response: null,
  },
  {
    method: 'delete',
    path: '/assignments/{id}',
    handler: 'services.destroyAssignment',
    tag: 'Assignments',
    summary: 'Delete an assignment made by mistake',
    status: 204,
    response: null,
  },
  {
    method: 'delete',
    path: '/services/{id}',
    handler: 'services.destroy',
    tag: 'Services',
    summary: 'Delete a service (its unbilled records become unallocated)',
    status: 204,
    response: null,
  },
  {
    method: 'delete',
    path: '/employees/{id}',
    handler: 'employees.destroy',
    tag: 'Employees',
    summary: 'Delete an employee without invoiced charges (422 otherwise)',
    status: 204,
    response: null,
  },
  {
    method: 'delete',
    path: '/departments/{id}',
    handler: 'departments.destroy',
    tag: 'Departments',
    summary: 'Delete a department',
    status: 204,
    response: null,
  },
]

const errorResponse = (description: string, name = 'Error') => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
})

function operationObject(op: ApiOperation) {
  const parameters = [
    ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'integer' },
    })),
    ...Object.entries(op.query ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: false,
      schema,
    })),
  ]
  const ok =
    op.response === null
      ? { description: 'Done' }
      : op.response === 'pdf'
        ? {
            description: 'The document',
            content: {
              'application/pdf': {
                schema: { type: 'string', contentMediaType: 'application/pdf' },
              },
            },
          }
        : op.response === 'ubl'
          ? {
              description: 'The UBL document',
              content: {
                'application/xml': {
                  schema: { type: 'string', contentMediaType: 'application/xml' },
                },
              },
            }
          : { description: 'OK', content: { 'application/json': { schema: op.response } } }
  return {
    operationId: op.handler.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase()).replace('.', '_'),
    tags: [op.tag],
    summary: op.summary,
    security: [{ bearer: [op.method === 'get' ? 'read' : 'write'] }],
    parameters,
    requestBody: op.body
      ? {
          required: true,
          content: {
            [op.body.type === 'json' ? 'application/json' : 'multipart/form-data']: {
              schema: op.body.schema,
            },
          },
        }
      : undefined,
    responses: {
      [op.status]: ok,
      401: errorResponse('No valid token'),
      403: errorResponse('The token or its user may not do this (portal users never)'),
      ...(op.path.includes('{') ? { 404: errorResponse('No such id') } : {}),
      ...(op.method === 'get' && !op.query
        ? {}
        : { 422: errorResponse('Invalid input, with the field', 'ValidationError') }),
      429: errorResponse('Too many requests for this token'),
    },
  }
}

/** The OpenAPI 3.1 document served at /api/v1/openapi.json. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operationObject(op)
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tollgate REST API',
      version: '1.0.0',
      description:
        'Bearer tokens of staff users (System → API tokens); abilities read (GET) and write (everything else). Lists: ?page&perPage (max 100), answer { data, meta }. Money: integer minor units (or e4 / micros, named) with currency and a formatted string.',
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token: Authorization: Bearer tg_…',
        },
      },
      schemas,
    },
    paths,
  }
}
