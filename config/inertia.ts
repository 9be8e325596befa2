import { defineConfig } from '@adonisjs/inertia'
import type { InferSharedProps } from '@adonisjs/inertia/types'
import { permissionsOf } from '#abilities/permissions'

const inertiaConfig = defineConfig({
  rootView: 'inertia_layout',
  sharedData: {
    // The reseller's name and logo on the login page, the portal and the admin sidebar (white-label).
    brand: (ctx) =>
      ctx.inertia.always(async (): Promise<{ name: string; logoUrl: string | null }> => {
        const { branding } = await import('#documents/branding')
        const b = await branding()
        return {
          name: b.name,
          logoUrl: b.logoKey
            ? `/branding/logo?v=${encodeURIComponent(b.logoKey.slice(-24))}`
            : null,
        }
      }),
    user: (ctx) =>
      ctx.inertia.always(() => {
        const user = ctx.auth?.user
        if (!user) return null
        return {
          id: user.id,
          name: user.fullName,
          email: user.email,
          role: user.role,
          customerId: user.customerId,
        }
      }),
    can: (ctx) => ctx.inertia.always(() => permissionsOf(ctx.auth?.user?.role)),
    flash: (ctx) =>
      ctx.inertia.always(
        (): { success: string | null; error: string | null; errorDetail: string | null } => ({
          success: ctx.session?.flashMessages.get('success') ?? null,
          error: ctx.session?.flashMessages.get('error') ?? null,
          // Technical text behind an error in plain words (shown behind a toggle).
          errorDetail: ctx.session?.flashMessages.get('errorDetail') ?? null,
        })
      ),
  },
  ssr: { enabled: false, entrypoint: 'inertia/app/ssr.ts' },
  // Pages kept in the browser's history are encrypted with a per-tab key that the login page
  // throws away (SessionController.create), so the back button after logging out cannot show
  // a page of the ended session. Without HTTPS (no WebCrypto) Inertia keeps them in clear.
  history: { encrypt: true },
})

export default inertiaConfig

declare module '@adonisjs/inertia/types' {
  export interface SharedProps extends InferSharedProps<typeof inertiaConfig> {}
}
