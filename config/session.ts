import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'
import { sessionTimeouts } from '#config/security'

const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'tollgate-session',
  clearWithBrowser: false,
  // The cookie lives as long as a login may (the session guard also ends idle sessions).
  age: `${sessionTimeouts.maxHours}h`,
  cookie: {
    path: '/',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
  store: env.get('SESSION_DRIVER'),
  stores: {
    cookie: stores.cookie(),
  },
})

export default sessionConfig
