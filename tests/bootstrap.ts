import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import { browserClient } from '@japa/browser-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { sessionApiClient } from '@adonisjs/session/plugins/api_client'
import { shieldApiClient } from '@adonisjs/shield/plugins/api_client'
import { authApiClient } from '@adonisjs/auth/plugins/api_client'
import { inertiaApiClient } from '@adonisjs/inertia/plugins/api_client'
import { sessionBrowserClient } from '@adonisjs/session/plugins/browser_client'
import { authBrowserClient } from '@adonisjs/auth/plugins/browser_client'
import { chromium } from 'playwright'
import { CHROMIUM_ARGS, chromiumPath } from '#documents/pdf_renderer'
import { ensureMysqlDatabase } from '#tests/helpers/ensure_database'
import { freshTestDatabase } from '#tests/helpers/migrate'
import { flashAssertions } from '#tests/helpers/flash'

export const plugins: Config['plugins'] = [
  assert(),
  apiClient(),
  pluginAdonisJS(app),
  sessionApiClient(app),
  shieldApiClient(),
  authApiClient(app),
  inertiaApiClient(app),
  flashAssertions(),
  browserClient({
    runInSuites: ['browser'],
    launcher: (options) =>
      chromium.launch({
        ...options,
        executablePath: chromiumPath(),
        args: CHROMIUM_ARGS,
      }),
  }),
  sessionBrowserClient(app),
  authBrowserClient(app),
]

/** The schema is rebuilt once per run; each test cleans up by truncation or transactions. */
export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [ensureMysqlDatabase, freshTestDatabase],
  teardown: [],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['browser', 'functional', 'e2e'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}
