import { defineConfig } from '@adonisjs/core/bodyparser'

const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: { convertEmptyStringsToNull: true, types: ['application/x-www-form-urlencoded'] },
  json: {
    convertEmptyStringsToNull: true,
    types: [
      'application/json',
      'application/json-patch+json',
      'application/vnd.api+json',
      'application/csp-report',
    ],
  },
  multipart: {
    autoProcess: true,
    convertEmptyStringsToNull: true,
    // Usage file uploads (up to 500 MB) are streamed by their controller once auth and role let
    // the request in, with their own size limit (app/lib/uploads.ts).
    processManually: ['/imports/upload', '/api/v1/usage-imports'],
    limit: '300mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
