import { defineConfig } from '@adonisjs/cors'
import { corsOrigins } from '#config/security'

/**
 * Same-origin only by default: a page elsewhere (another port of the same host included, and the
 * `null` origin of sandboxed frames and files) gets no CORS headers, so the browser neither shows
 * it our responses nor lets it send non-simple requests. CORS_ORIGINS lists deliberate exceptions.
 * https://docs.adonisjs.com/guides/security/cors
 */
const corsConfig = defineConfig({
  enabled: true,
  origin: (origin) => corsOrigins.includes(origin),
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
  headers: true,
  exposeHeaders: [],
  credentials: true,
  maxAge: 90,
})

export default corsConfig
