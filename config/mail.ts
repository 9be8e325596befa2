import env from '#start/env'
import { defineConfig, transports } from '@adonisjs/mail'
import type { SMTPConfig } from '@adonisjs/mail/types'
import { fileTransport } from '#mails/file_transport'

/**
 * MAIL_MAILER=smtp sends through SMTP_HOST:SMTP_PORT; MAIL_MAILER=file writes
 * .eml files under mail/ in the file store (the demo's "local catcher").
 */
const mailConfig = defineConfig({
  default: env.get('MAIL_MAILER', 'smtp'),
  from: env.get('MAIL_FROM', 'billing@reseller.example'),
  mailers: {
    smtp: transports.smtp({
      host: env.get('SMTP_HOST') || '127.0.0.1',
      port: env.get('SMTP_PORT') || 2525,
      secure: false,
      // Local catchers and test servers speak plain SMTP; real relays upgrade when offered.
      ignoreTLS: (env.get('SMTP_HOST') || '127.0.0.1') === '127.0.0.1',
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      auth: env.get('SMTP_USERNAME')
        ? { type: 'login', user: env.get('SMTP_USERNAME')!, pass: env.get('SMTP_PASSWORD', '') }
        : undefined,
    } as SMTPConfig),
    file: fileTransport({ prefix: 'mail' }),
  },
})

export default mailConfig

declare module '@adonisjs/mail/types' {
  export interface MailersList extends InferMailers<typeof mailConfig> {}
}
