import emitter from '@adonisjs/core/services/emitter'
import mail from '@adonisjs/mail/services/main'
import { Mailer } from '@adonisjs/mail'
import { SMTPTransport } from '@adonisjs/mail/transports/smtp'
import type { MailTransportContract, SMTPConfig } from '@adonisjs/mail/types'

/**
 * An SMTP mailer for an explicit host and port, with the app's mail settings
 * (from address). Used by `invoices:send --smtp host:port` and by tests that
 * point deliveries at an in-process SMTP server.
 */
export function smtpMailer(options: { host: string; port: number; secure?: boolean }) {
  const transport = new SMTPTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    ignoreTLS: options.host === '127.0.0.1' || options.host === 'localhost',
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 30_000,
  } as SMTPConfig)
  return new Mailer<MailTransportContract>('smtp', transport, emitter as any, mail.config)
}
