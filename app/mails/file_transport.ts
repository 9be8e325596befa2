import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import { MailResponse } from '@adonisjs/mail'
import type { MailTransportContract, NodeMailerMessage } from '@adonisjs/mail/types'

/**
 * Writes each message as an .eml file (full MIME, attachments included)
 * instead of sending it: MAIL_MAILER=file, used by the demo so it needs no
 * SMTP server. nodemailer's stream transport builds the message.
 */
export class FileTransport implements MailTransportContract {
  #transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })

  constructor(private config: { directory: string }) {}

  async send(message: NodeMailerMessage) {
    const info = await this.#transporter.sendMail(message as nodemailer.SendMailOptions)
    await mkdir(this.config.directory, { recursive: true })
    const id = String(info.messageId ?? Date.now()).replace(/[<>]/g, '').replace(/[^\w.@-]+/g, '_')
    const file = join(this.config.directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${id}.eml`)
    await writeFile(file, info.message as Buffer)
    return new MailResponse(info.messageId, info.envelope, { ...info, file })
  }
}

export function fileTransport(config: { directory: string }) {
  return () => new FileTransport(config)
}
