/*
 * Types shared by the pages of the admin UI and the portal.
 *
 * SharedProps is what every page receives besides its own props: `sharedData` in
 * config/inertia.ts, inferred from the server code (inertia/app/app.ts references
 * config/inertia.ts and config/auth.ts), so a change there shows up here as a type
 * error in `npm run typecheck`.
 */
import type { SharedProps as ServerSharedProps } from '@adonisjs/inertia/types'

/** As a type literal (an interface has no index signature, which Inertia's `PageProps` needs). */
export type SharedProps = { [K in keyof ServerSharedProps]: ServerSharedProps[K] }

/** The signed-in user as pages see it (`null` on the login page). */
export type CurrentUser = NonNullable<SharedProps['user']>

export type UserRole = CurrentUser['role']

declare module '@inertiajs/core' {
  /** Makes `usePage().props` carry the shared props on every page. */
  export interface InertiaConfig {
    sharedPageProps: SharedProps
  }
}
