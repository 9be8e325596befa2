import { Env } from '@adonisjs/core/env'

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  APP_KEY: Env.schema.string(),
  HOST: Env.schema.string({ format: 'host' }),
  LOG_LEVEL: Env.schema.string(),
  APP_URL: Env.schema.string.optional(),

  SESSION_DRIVER: Env.schema.enum(['cookie', 'memory'] as const),

  DEFAULT_REGION: Env.schema.string.optional(),
  DB_CONNECTION: Env.schema.enum.optional(['sqlite', 'mysql'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  DB_HOST: Env.schema.string.optional({ format: 'host' }),
  DB_PORT: Env.schema.number.optional(),
  DB_USER: Env.schema.string.optional(),
  DB_PASSWORD: Env.schema.string.optional(),
  DB_DATABASE: Env.schema.string.optional(),

  DRIVE_DISK: Env.schema.enum(['fs', 's3'] as const),
  // S3 (or any S3-protocol store: MinIO, Ceph, Wasabi…) when DRIVE_DISK=s3 (docs/scaling.md)
  S3_BUCKET: Env.schema.string.optional(),
  S3_REGION: Env.schema.string.optional(),
  S3_ENDPOINT: Env.schema.string.optional(),
  S3_ACCESS_KEY_ID: Env.schema.string.optional(),
  S3_SECRET_ACCESS_KEY: Env.schema.string.optional(),
  S3_FORCE_PATH_STYLE: Env.schema.boolean.optional(),

  MAIL_MAILER: Env.schema.enum.optional(['smtp', 'file'] as const),
  SMTP_HOST: Env.schema.string.optional(),
  SMTP_PORT: Env.schema.number.optional(),
  SMTP_USERNAME: Env.schema.string.optional(),
  SMTP_PASSWORD: Env.schema.string.optional(),
  MAIL_FROM: Env.schema.string.optional(),

  CHROMIUM_PATH: Env.schema.string.optional(),
  // Billing documents and scheduler (README, "Billing, invoices and email")
  TEMPLATE_OVERRIDES: Env.schema.string.optional(),
  PDF_PAGES: Env.schema.number.optional(),
  SCHEDULER_POLL_MS: Env.schema.number.optional(),
  SCHEDULER_MONTH_END_MS: Env.schema.number.optional(),
  SCHEDULER_SEND_MS: Env.schema.number.optional(),
  STORAGE_PATH: Env.schema.string.optional(),

  // Security (docs/security.md)
  CONNECTOR_FOLDER_ROOTS: Env.schema.string.optional(),
  OUTBOUND_ALLOW_HOSTS: Env.schema.string.optional(),
  CORS_ORIGINS: Env.schema.string.optional(),
  SESSION_IDLE_MINUTES: Env.schema.number.optional(),
  SESSION_MAX_HOURS: Env.schema.number.optional(),
  LOGIN_MAX_ATTEMPTS_ACCOUNT: Env.schema.number.optional(),
  LOGIN_MAX_ATTEMPTS_IP: Env.schema.number.optional(),
  LOGIN_LOCKOUT_MINUTES: Env.schema.number.optional(),
  // Crash recovery and hostile files (docs/operations.md, docs/connectors.md)
  JOB_LEASE_MS: Env.schema.number.optional(),
  IMPORT_STALE_MS: Env.schema.number.optional(),
  IMPORT_MAX_LINE_KB: Env.schema.number.optional(),
  IMPORT_MAX_FIELD_CHARS: Env.schema.number.optional(),
  IMPORT_MAX_UNCOMPRESSED_MB: Env.schema.number.optional(),
  IMPORT_MAX_RATIO: Env.schema.number.optional(),
})
