import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'

const migrations = { naturalSort: true, paths: ['database/migrations'] }

/**
 * SQLite is the embedded zero-config default; MySQL/MariaDB is for production
 * and for several web/scheduler instances sharing one database.
 */
const dbConfig = defineConfig({
  connection: env.get('DB_CONNECTION', 'sqlite'),
  connections: {
    sqlite: {
      client: 'better-sqlite3',
      connection: {
        filename: app.makePath(env.get('SQLITE_PATH', 'tmp/tollgate.sqlite3')),
      },
      useNullAsDefault: true,
      migrations,
    },
    mysql: {
      client: 'mysql2',
      connection: {
        host: env.get('DB_HOST', '127.0.0.1'),
        port: env.get('DB_PORT', 3306),
        user: env.get('DB_USER', 'root'),
        password: env.get('DB_PASSWORD', ''),
        database: env.get('DB_DATABASE', 'tollgate'),
        // BIGINT money columns stay within 2^53, so they come back as plain numbers.
        supportBigNumbers: true,
        bigNumberStrings: false,
        dateStrings: false,
        timezone: 'Z',
        charset: 'utf8mb4',
      },
      pool: { min: 0, max: 10 },
      migrations,
    },
  },
})

export default dbConfig
