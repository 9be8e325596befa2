import { defineConfig, stores } from '@adonisjs/limiter'

/**
 * Login and invitation throttling count in the database (table rate_limits), so every web
 * process sees the same counts. Limits are in config/security.ts (loginThrottle).
 */
const limiterConfig = defineConfig({
  default: 'database',
  stores: {
    database: stores.database({ tableName: 'rate_limits' }),
    memory: stores.memory({}),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}
