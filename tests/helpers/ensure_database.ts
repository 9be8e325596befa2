import mysql from 'mysql2/promise'
import env from '#start/env'

/** Creates the MySQL test database when it is missing, so a fresh server needs no manual step. */
export async function ensureMysqlDatabase() {
  if (env.get('DB_CONNECTION') !== 'mysql') return
  const connection = await mysql.createConnection({
    host: env.get('DB_HOST', '127.0.0.1'),
    port: env.get('DB_PORT', 3306),
    user: env.get('DB_USER', 'root'),
    password: env.get('DB_PASSWORD', ''),
  })
  const name = env.get('DB_DATABASE', 'tollgate_test').replace(/`/g, '')
  await connection.query(
    `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
  )
  await connection.end()
}
