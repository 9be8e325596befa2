import nodemailer from 'nodemailer'
import drive from '@adonisjs/drive/services/main'
import { MailResponse } from '@adonisjs/mail'
import type { MailTransportContract, NodeMailerMessage } from '@adonisjs/mail/types'

/**
 * Writes each message as an .eml file (full MIME, attachments included) to the file store
 * (`mail/…` on the fs or s3 disk) instead of sending it: MAIL_MAILER=file, used by the demo so
 * it needs no SMTP server. nodemailer's stream transport builds the message.
 */
export class FileTransport implements MailTransportContract {
  #transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
  })

  constructor(private config: { prefix: string }) {}

  // Object keys of the drive allow letters, digits and . _ - / only (no @ from the message id).
  async send(message: NodeMailerMessage) {
    const info = await this.#transporter.sendMail(message as nodemailer.SendMailOptions)
    const id = String(info.messageId ?? Date.now())
      .replace(/[<>]/g, '')
      .replace(/[^\w.-]+/g, '_')
    const key = `${this.config.prefix}/${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`
    await drive.use().put(key, info.message as Buffer)
    return new MailResponse(info.messageId, info.envelope, { ...info, file: key })
  }
}

export function fileTransport(config: { prefix: string }) {
  return () => new FileTransport(config)
}
