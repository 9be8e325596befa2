import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/** Creates or updates a staff login, e.g. the first admin on a new install. */
export default class UsersCreate extends BaseCommand {
  static commandName = 'users:create'
  static description = 'Create (or reset the password of) a staff user'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Email address' })
  declare email: string

  @flags.string({ description: 'admin | billing | viewer', default: 'admin' })
  declare role: string

  @flags.string({ description: 'Password (prompted when omitted)' })
  declare password?: string

  @flags.string({ description: 'Full name' })
  declare name?: string

  async run() {
    const { default: User, STAFF_ROLES } = await import('#models/user')
    if (!(STAFF_ROLES as readonly string[]).includes(this.role)) {
      this.logger.error(`--role must be one of ${STAFF_ROLES.join(', ')}`)
      this.exitCode = 1
      return
    }
    const password: string = this.password ?? (await this.prompt.secure('Password'))
    const { STAFF_PASSWORD_MIN, weakPasswordReason } = await import('#lib/passwords')
    const weak =
      password.length < STAFF_PASSWORD_MIN
        ? `needs at least ${STAFF_PASSWORD_MIN} characters`
        : weakPasswordReason(password, [this.email.split('@')[0]])
    if (weak) {
      this.logger.error(`The password ${weak}`)
      this.exitCode = 1
      return
    }
    const user = await User.updateOrCreate(
      { email: this.email.toLowerCase() },
      { password, role: this.role as any, fullName: this.name ?? null, customerId: null }
    )
    this.logger.success(`${user.email} (${user.role}) is ready`)
  }
}
