import { defineConfig } from '@adonisjs/shield'
import { isBearerApiCall } from '#lib/api_request'

const shieldConfig = defineConfig({
  /**
   * Configure CSP policies for your app. Refer documentation
   * to learn more
   */
  csp: {
    enabled: false,
    directives: {},
    reportOnly: false,
  },

  /**
   * Configure CSRF protection options. Refer documentation
   * to learn more
   */
  csrf: {
    enabled: true,
    // Called by GoCardless (signed with HMAC-SHA256, checked in app/payments/gocardless_webhooks.ts).
    // The REST API only when it carries a bearer token: it does not read our cookies then
    // (start/routes/api.ts authenticates by the token alone), so a forged form has nothing to ride on.
    exceptRoutes: (ctx) =>
      ctx.request.url() === '/webhooks/gocardless' || isBearerApiCall(ctx.request),
    enableXsrfCookie: true,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },

  /**
   * Control how your website should be embedded inside
   * iFrames
   */
  xFrame: {
    enabled: true,
    action: 'DENY',
  },

  /**
   * Force browser to always use HTTPS
   */
  hsts: {
    enabled: true,
    maxAge: '180 days',
  },

  /**
   * Disable browsers from sniffing the content type of a
   * response and always rely on the "content-type" header.
   */
  contentTypeSniffing: {
    enabled: true,
  },
})

export default shieldConfig
