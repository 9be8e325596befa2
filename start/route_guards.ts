/*
 * Middleware stacks for route groups, built from the role lists in app/models/user.ts so that
 * a role's reach is decided in one place. `role` answers a portal user with 404 on staff routes.
 */
import { middleware } from '#start/kernel'
import { ADMIN_ROLES, EDITOR_ROLES, PORTAL_ROLES, STAFF_ROLES } from '#models/user'

/** Any staff role: reading the admin UI. */
export const staff = [middleware.auth(), middleware.role({ roles: [...STAFF_ROLES] })]
/** Admins and the billing team: changing data. */
export const editors = [middleware.auth(), middleware.role({ roles: [...EDITOR_ROLES] })]
/** Admins only: staff logins, audit log. */
export const admins = [middleware.auth(), middleware.role({ roles: [...ADMIN_ROLES] })]
/** The customer portal. */
export const portalUsers = [middleware.auth(), middleware.role({ roles: [...PORTAL_ROLES] })]
/** The REST API (/api/v1): a bearer token, staff only, `read` for GET and `write` otherwise (app/middleware/api_auth_middleware.ts). */
export const apiTokens = [middleware.apiAuth()]
