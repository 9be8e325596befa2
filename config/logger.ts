import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, targets } from '@adonisjs/core/logger'

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: 'tollgate',
      level: env.get('LOG_LEVEL'),
      // Credentials must never reach a log line, whatever object gets logged.
      redact: {
        paths: [
          'password',
          '*.password',
          'credentials',
          '*.credentials',
          'clientSecret',
          '*.clientSecret',
          'secret',
          '*.secret',
        ],
        censor: '[redacted]',
      },
      transport: {
        targets: targets()
          .pushIf(!app.inProduction, targets.pretty())
          .pushIf(app.inProduction, targets.file({ destination: 1 }))
          .toArray(),
      },
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
