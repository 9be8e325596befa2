/**
 * The one catalogue of words people read for the codes the system stores: charge categories,
 * statuses, roles, service kinds, connector types and settings, audit actions, subjects.
 *
 * A leaf with no imports, so server code (pages' controllers, PDFs, exports) and Vue pages
 * (`import { label } from '#lib/labels'`) show the same word for the same code. A code missing
 * here still reads as words (`humanise`), never as `snake_case`.
 */

export const CATEGORY_LABELS: Record<string, string> = {
  national: 'UK calls',
  local: 'Local calls',
  mobile: 'Calls to mobiles',
  international: 'International calls',
  premium: 'Premium-rate calls',
  non_geographic: 'Non-geographic calls',
  freephone: 'Freephone calls',
  roaming: 'Roaming',
  voice: 'Calls',
  sms: 'Text messages (SMS)',
  mms: 'Picture messages (MMS)',
  data: 'Mobile data',
  line_rental: 'Line rental',
  licence: 'Microsoft 365 licences',
  support: 'Support',
  storage: 'Storage',
  hardware: 'Hardware',
  other: 'Other charges',
  mi_addon: 'Management information add-on',
  credit: 'Credit',
  adjustment: 'Adjustment',
}

/** Statuses, per kind of thing, where the same code means different words. */
export const STATUS_LABELS: Record<string, Record<string, string>> = {
  invoice: { draft: 'Draft', finalized: 'Finalised', cancelled: 'Cancelled' },
  billing_run: { draft: 'Draft (in review)', finalized: 'Finalised', cancelled: 'Cancelled' },
  /** A draft invoice's flags (billing/flags.ts): also the audit log's "Kinds". */
  flag: {
    change_vs_last: 'Change against the last invoice',
    change_vs_average: 'Change against the 3-month average',
    anomaly: 'Anomalies',
    below_cost: 'Records priced below cost',
    margin_drop: 'Margin fell',
    duplicates: 'Suspected duplicates',
    unknown_services: 'Unknown services',
    unrated: 'Unrated records',
  },
  delivery: { queued: 'Waiting to send', sending: 'Sending', sent: 'Sent', failed: 'Failed' },
  import: {
    pending: 'Waiting',
    running: 'Importing',
    completed: 'Imported',
    failed: 'Failed',
    skipped: 'Skipped (already imported)',
  },
  job: { running: 'Running', succeeded: 'Succeeded', failed: 'Failed' },
  anomaly: {
    employee_spike: 'Spend spike',
    roaming_spike: 'Roaming spike',
    new_destination: 'New destination',
  },
}

export const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrator',
  billing: 'Billing clerk',
  viewer: 'Read-only viewer',
  portal: 'Customer portal user',
}

export const SERVICE_KIND_LABELS: Record<string, string> = {
  mobile: 'Mobile number',
  ddi: 'Phone number (DDI)',
  extension: 'Extension',
  sim: 'SIM (ICCID)',
  m365_user: 'Microsoft 365 user',
  device: 'Device',
}

export const CONNECTOR_TYPE_LABELS: Record<string, string> = {
  asterisk: 'Asterisk phone system (Master.csv)',
  csv_profile: 'Carrier CSV (mapping profile)',
  m365: 'Microsoft 365 (Graph)',
}

export const TRANSPORT_LABELS: Record<string, string> = {
  folder: 'Folder on this server',
  sftp: 'SFTP server',
  https: 'HTTPS download',
  upload: 'Manual upload',
}

/** Connector setting and credential keys (forms, connector pages, audit log). */
export const SETTING_LABELS: Record<string, string> = {
  timeZone: 'Time zone',
  tenantId: 'Tenant ID',
  clientId: 'Application (client) ID',
  clientSecret: 'Client secret',
  graphBaseUrl: 'Graph base URL',
  authorityHost: 'Token authority host',
  reportPeriod: 'Report period',
  skuPrices: 'Licence prices',
  skuNames: 'Licence names',
  host: 'Server name',
  port: 'Port',
  username: 'User name',
  password: 'Password',
  privateKey: 'Private key (SSH)',
  passphrase: 'Key passphrase',
  hostFingerprint: 'Server fingerprint (SHA-256)',
  remoteDir: 'Folder on the server',
  directory: 'Folder',
  path: 'Folder',
  pattern: 'File name pattern',
  url: 'Address (URL)',
  profile: 'Mapping profile',
  schedule: 'Schedule',
  transport: 'Where files come from',
}

export const ORIGIN_LABELS: Record<string, string> = {
  manual: 'Entered by hand',
  m365: 'Microsoft 365 sync',
  mi_addon: 'MI add-on',
}

export const SUBJECT_LABELS: Record<string, string> = {
  customer: 'Customer',
  customer_tariff: 'Customer tariff',
  tariff: 'Tariff',
  rate: 'Rate',
  billing_run: 'Billing run',
  invoice: 'Invoice',
  credit_note: 'Credit note',
  delivery: 'Delivery',
  connector: 'Connector',
  import: 'Import',
  employee: 'Employee',
  department: 'Department',
  service: 'Service',
  assignment: 'Assignment',
  allowance: 'Allowance',
  recurring_charge: 'Recurring charge',
  settings: 'Settings',
  user: 'User',
  portal: 'Portal',
  staff_import: 'Staff import',
}

const VERB_LABELS: Record<string, string> = {
  create: 'created',
  created: 'created',
  update: 'changed',
  updated: 'changed',
  delete: 'deleted',
  deleted: 'deleted',
  end: 'ended',
  cancel: 'cancelled',
  finalize: 'finalised',
  regenerate: 'rebuilt',
  send: 'sent',
  run: 'run',
  queue: 'queued for sending',
  resend: 'sent again',
  assigned: 'assigned',
  saved: 'saved',
  rates_imported: 'rates imported',
  rerated: 're-rated',
  uploaded: 'uploaded',
  invite: 'invitation sent',
  invite_accepted: 'invitation accepted',
  user_removed: 'user removed',
  apply: 'applied',
  enable: 'switched on',
  disable: 'switched off',
}

const SHOUTED = /\b(uk|eu|us|sms|mms|ddi|sim|vat|mi|csv|pdf|url|id|upn|sftp|https)\b/gi

/** "line_rental" → "Line rental", "hostFingerprint" → "Host fingerprint": the fallback for unknown codes. */
export function humanise(code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return ''
  const words = String(code)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(SHOUTED, (w) => w.toUpperCase())
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export function categoryLabel(code: string | null | undefined): string {
  return (code && CATEGORY_LABELS[code]) || humanise(code)
}

export function statusLabel(
  kind: keyof typeof STATUS_LABELS | string,
  code: string | null | undefined
): string {
  return (code && STATUS_LABELS[kind]?.[code]) || humanise(code)
}

export function roleLabel(code: string | null | undefined): string {
  return (code && ROLE_LABELS[code]) || humanise(code)
}

export function serviceKindLabel(code: string | null | undefined): string {
  return (code && SERVICE_KIND_LABELS[code]) || humanise(code)
}

export function connectorTypeLabel(code: string | null | undefined): string {
  if (code?.startsWith('profile:')) return `Carrier CSV (${code.slice('profile:'.length)})`
  return (code && CONNECTOR_TYPE_LABELS[code]) || humanise(code)
}

export function settingLabel(key: string | null | undefined): string {
  return (key && SETTING_LABELS[key]) || humanise(key)
}

export function originLabel(code: string | null | undefined): string {
  return (code && ORIGIN_LABELS[code]) || humanise(code)
}

export function subjectLabel(code: string | null | undefined): string {
  return (code && SUBJECT_LABELS[code]) || humanise(code)
}

/** "billing_run.finalize" → "Billing run finalised"; "mi_addon.enable" → "MI add-on switched on". */
export function auditActionLabel(action: string | null | undefined): string {
  if (!action) return ''
  const dot = action.lastIndexOf('.')
  if (dot < 0) return VERB_LABELS[action] ? humanise(VERB_LABELS[action]) : humanise(action)
  const subject = action.slice(0, dot)
  const verb = action.slice(dot + 1)
  const subjectText = subject === 'mi_addon' ? 'MI add-on' : subjectLabel(subject)
  return `${subjectText} ${VERB_LABELS[verb] ?? humanise(verb).toLowerCase()}`
}

/** A generic look-up for tables that print a code of a known family. */
export const label = {
  category: categoryLabel,
  status: statusLabel,
  role: roleLabel,
  serviceKind: serviceKindLabel,
  connectorType: connectorTypeLabel,
  setting: settingLabel,
  origin: originLabel,
  subject: subjectLabel,
  auditAction: auditActionLabel,
}
