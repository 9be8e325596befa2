import { ADMIN_ROLES, EDITOR_ROLES, type UserRole } from '#models/user'

/** What the signed-in user may do, as pages need to know it to show or hide actions (`can`). */
export interface Permissions {
  /** Change data (admin, billing); viewers only read. */
  edit: boolean
  /** Manage staff logins and read the audit log (admin). */
  administer: boolean
}

export function permissionsOf(role: UserRole | null | undefined): Permissions {
  return {
    edit: !!role && EDITOR_ROLES.includes(role),
    administer: !!role && ADMIN_ROLES.includes(role),
  }
}
