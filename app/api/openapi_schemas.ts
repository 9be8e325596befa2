/**
 * JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) of what /api/v1 answers, one per resource,
 * written beside the serializers in app/api/*_resources.ts; tests/functional/api/openapi.spec.ts
 * calls every operation and checks its answer against these.
 */
import { INVOICE_TEMPLATE_KEYS } from '#lib/invoice_templates'

type Schema = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const nullable = (type: string): Schema => ({ type: [type, 'null'] })
const str: Schema = { type: 'string' }
const int: Schema = { type: 'integer' }
const bool: Schema = { type: 'boolean' }

function object(props: Record<string, Schema>, optional: string[] = []): Schema {
  return {
    type: 'object',
    properties: props,
    required: Object.keys(props).filter((k) => !optional.includes(k)),
  }
}

const money = (unit: 'minor' | 'e4' | 'micros', description: string): Schema => ({
  ...object({ [unit]: int, currency: { type: 'string', pattern: '^[A-Z]{3}$' }, formatted: str }),
  description,
})

export const schemas: Record<string, Schema> = {
  Money: money(
    'minor',
    'Integer minor units (pence, cents) with the ISO currency code and the amount as shown on invoices.'
  ),
  MoneyE4: money(
    'e4',
    'Ten-thousandths of the currency unit: usage prices and costs before invoice rounding.'
  ),
  RateMoney: money('micros', 'Millionths of the currency unit per minute, MB or message (rates).'),
  PageMeta: object({ total: int, perPage: int, currentPage: int, lastPage: int }),
  Error: object({ errors: { type: 'array', items: object({ message: str }) } }),
  ValidationError: object({
    errors: { type: 'array', items: object({ field: str, message: str, rule: str }) },
  }),
  Customer: object(
    {
      id: int,
      accountNumber: str,
      name: str,
      billingEmail: nullable('string'),
      billingContacts: nullable('string'),
      address: nullable('string'),
      vatNumber: nullable('string'),
      taxRate: str,
      taxRateBp: int,
      currency: str,
      timeZone: str,
      paymentTermsDays: int,
      billDay: int,
      recurringBilling: { enum: ['advance', 'arrears'] },
      itemiseCalls: bool,
      invoiceTemplate: { enum: INVOICE_TEMPLATE_KEYS },
      employeeCount: int,
      createdAt: str,
    },
    ['employeeCount']
  ),
  Department: object(
    { id: int, customerId: int, name: str, costCentre: nullable('string'), employees: int },
    ['employees']
  ),
  Employee: object({
    id: int,
    customerId: int,
    name: str,
    email: nullable('string'),
    employeeNumber: nullable('string'),
    departmentId: nullable('integer'),
    active: bool,
  }),
  Assignment: object({
    id: int,
    serviceId: int,
    employeeId: int,
    startsAt: str,
    endsAt: nullable('string'),
  }),
  Service: object(
    {
      id: int,
      customerId: int,
      kind: str,
      kindLabel: str,
      identifier: str,
      label: nullable('string'),
      employeeId: nullable('integer'),
      assignments: { type: 'array', items: ref('Assignment') },
    },
    ['assignments']
  ),
  UsageRecord: object({
    id: int,
    customerId: int,
    importId: nullable('integer'),
    serviceId: nullable('integer'),
    employeeId: nullable('integer'),
    departmentId: nullable('integer'),
    identifier: str,
    occurredAt: str,
    period: str,
    category: str,
    destination: nullable('string'),
    destinationName: nullable('string'),
    durationS: int,
    volumeBytes: int,
    quantity: { type: 'number' },
    cost: { oneOf: [ref('MoneyE4'), { type: 'null' }] },
    price: { oneOf: [ref('MoneyE4'), { type: 'null' }] },
    ratingStatus: str,
    unratedReason: nullable('string'),
    invoiceId: nullable('integer'),
  }),
  ImportSummary: object({
    id: int,
    customerId: nullable('integer'),
    sourceName: str,
    format: str,
    status: { enum: ['pending', 'running', 'completed', 'failed', 'skipped', 'error'] },
    rowsRead: int,
    rowsImported: int,
    rowsDuplicate: int,
    rowsRejected: int,
    rowsInternal: int,
    rowsCharges: int,
    errorMessage: nullable('string'),
    errors: {
      type: 'array',
      items: object({ line: int, field: nullable('string'), message: str }),
    },
    startedAt: nullable('string'),
    finishedAt: nullable('string'),
  }),
  Tariff: object({
    id: int,
    name: str,
    kind: { enum: ['sell', 'buy'] },
    supplier: nullable('string'),
    currency: str,
    description: nullable('string'),
    defaultMarkupBp: int,
    defaultMarkup: str,
  }),
  Rate: object({
    id: int,
    tariffId: int,
    prefix: str,
    destination: str,
    category: str,
    peak: ref('RateMoney'),
    offpeak: ref('RateMoney'),
    weekend: ref('RateMoney'),
    connection: ref('RateMoney'),
    minimum: ref('RateMoney'),
    initialS: int,
    subsequentS: int,
    effectiveFrom: str,
  }),
  DeckImport: object({ tariffId: int, rates: int, inserted: int, updated: int, removed: int }),
  BillingRun: object(
    {
      id: int,
      period: str,
      status: { enum: ['draft', 'finalized', 'cancelled'] },
      customerIds: { type: ['array', 'null'], items: int },
      createdAt: str,
      finalizedAt: nullable('string'),
      invoiceIds: { type: 'array', items: int },
    },
    ['invoiceIds']
  ),
  Invoice: object({
    id: int,
    billingRunId: int,
    customerId: int,
    period: str,
    number: nullable('string'),
    status: { enum: ['draft', 'finalized'] },
    issueDate: nullable('string'),
    taxPoint: nullable('string'),
    dueDate: nullable('string'),
    currency: str,
    subtotal: ref('Money'),
    tax: ref('Money'),
    total: ref('Money'),
    hasPdf: bool,
  }),
  InvoiceLine: object({
    id: int,
    kind: { enum: ['usage', 'recurring'] },
    category: str,
    description: str,
    identifier: nullable('string'),
    employeeId: nullable('integer'),
    departmentId: nullable('integer'),
    serviceId: nullable('integer'),
    quantity: { type: 'number' },
    unitPrice: ref('MoneyE4'),
    amount: ref('Money'),
    taxRateBp: int,
  }),
  CreditNote: object({
    id: int,
    invoiceId: int,
    number: str,
    reason: str,
    issueDate: nullable('string'),
    subtotal: ref('Money'),
    tax: ref('Money'),
    total: ref('Money'),
    hasPdf: bool,
  }),
  Payment: object({
    id: int,
    customerId: int,
    receivedOn: str,
    amount: ref('Money'),
    method: { enum: ['bank_transfer', 'card', 'cheque', 'cash', 'direct_debit', 'other'] },
    reference: nullable('string'),
    note: nullable('string'),
    source: str,
    createdAt: str,
  }),
}

schemas.InvoiceDetail = {
  allOf: [
    ref('Invoice'),
    object({
      lines: { type: 'array', items: ref('InvoiceLine') },
      creditNoteIds: { type: 'array', items: int },
    }),
  ],
}

/** `{ data: <one> }` and `{ data: [...], meta }`. */
export const one = (name: string, extra: Record<string, Schema> = {}) =>
  object({ data: ref(name), ...extra }, Object.keys(extra))
export const page = (name: string) =>
  object({ data: { type: 'array', items: ref(name) }, meta: ref('PageMeta') })

/** Request bodies: the fields of the validators the UI forms use (app/validators/*). */
export const bodies: Record<string, Schema> = {
  Customer: object(
    {
      accountNumber: { type: 'string', pattern: '^[A-Za-z0-9-]{2,32}$' },
      name: str,
      billingEmail: str,
      billingContacts: str,
      address: str,
      vatNumber: str,
      taxRate: { type: 'string', description: 'Percentage, e.g. "20" or "5.5"' },
      currency: { enum: ['GBP', 'EUR', 'USD'] },
      timeZone: { type: 'string', description: 'IANA zone' },
      paymentTermsDays: int,
      billDay: { type: 'integer', minimum: 1, maximum: 28 },
      recurringBilling: { enum: ['advance', 'arrears'] },
      itemiseCalls: bool,
      invoiceTemplate: {
        enum: INVOICE_TEMPLATE_KEYS,
        description: 'Invoice layout; left out, the customer keeps its own',
      },
    },
    ['billingEmail', 'billingContacts', 'address', 'vatNumber', 'itemiseCalls', 'invoiceTemplate']
  ),
  Department: object({ name: str, costCentre: str }, ['costCentre']),
  Employee: object(
    { name: str, email: str, employeeNumber: str, departmentId: int, active: bool },
    ['email', 'employeeNumber', 'departmentId', 'active']
  ),
  Service: object(
    {
      kind: { enum: ['mobile', 'ddi', 'extension', 'sim', 'm365_user', 'device'] },
      identifier: str,
      label: str,
      employeeId: int,
      from: { type: 'string', format: 'date' },
    },
    ['label', 'employeeId', 'from']
  ),
  ServiceLabel: object({ label: str }, ['label']),
  Assign: object({ employeeId: int, from: { type: 'string', format: 'date' } }),
  EndAssignment: object({ date: { type: 'string', format: 'date' } }),
  UsageUpload: object(
    {
      file: { type: 'string', contentMediaType: 'text/csv' },
      format: { type: 'string', description: 'asterisk, uk-standard-cdr or profile:NAME' },
      customerId: int,
      scope: { enum: ['customer', 'all'] },
    },
    ['customerId', 'scope']
  ),
  Tariff: object(
    {
      name: str,
      currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
      defaultMarkup: { type: 'string', description: 'Percentage, e.g. "15" or "12.5"' },
      description: str,
    },
    ['description']
  ),
  Rate: object(
    {
      prefix: { type: 'string', pattern: '^\\d{0,24}$' },
      destination: str,
      category: str,
      peak: { type: 'string', description: 'Currency units, up to 6 decimals' },
      offpeak: str,
      weekend: str,
      connection: str,
      minimum: str,
      increments: { type: 'string', pattern: '^\\d+/\\d+$' },
      effectiveFrom: { type: 'string', format: 'date' },
      rerate: bool,
    },
    ['connection', 'minimum', 'increments', 'rerate']
  ),
  Deck: object(
    { file: { type: 'string', contentMediaType: 'text/csv' }, replace: bool, rerate: bool },
    ['replace', 'rerate']
  ),
  BillingRun: object(
    {
      period: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
      customerIds: { type: 'array', items: int },
      openPeriod: bool,
    },
    ['customerIds', 'openPeriod']
  ),
  Finalize: object(
    {
      allowUnrated: bool,
      acknowledge: {
        type: 'string',
        description: 'Acknowledge every open review flag with this reason first',
      },
    },
    ['allowUnrated', 'acknowledge']
  ),
  Acknowledge: object({ reason: str }),
  CreditNote: object(
    {
      reason: str,
      amount: {
        type: 'string',
        description: 'Net amount, e.g. "12.50"; omitted: all that is left',
      },
    },
    ['amount']
  ),
  Payment: object(
    {
      customerId: int,
      receivedOn: { type: 'string', format: 'date' },
      amount: { type: 'string', description: 'e.g. "120.00"' },
      method: { enum: ['bank_transfer', 'card', 'cheque', 'cash', 'direct_debit', 'other'] },
      reference: str,
      note: str,
      allocations: { type: 'array', items: object({ invoiceId: int, amount: str }, ['amount']) },
    },
    ['reference', 'note', 'allocations']
  ),
}
