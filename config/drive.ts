import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, services } from '@adonisjs/drive'

/**
 * Raw import files, invoice PDFs and sent mail live here. Files are private:
 * they are streamed through authorised routes, never served directly.
 * `fs` is a folder (shared between hosts over NFS when scaled out); `s3` is any
 * S3-protocol store, which several web and scheduler hosts share without a shared disk.
 */
const driveConfig = defineConfig({
  default: env.get('DRIVE_DISK'),
  services: {
    fs: services.fs({
      location: app.makePath(env.get('STORAGE_PATH', 'storage')),
      serveFiles: false,
      visibility: 'private',
    }),
    s3: services.s3({
      bucket: env.get('S3_BUCKET', 'tollgate'),
      region: env.get('S3_REGION', 'eu-west-2'),
      endpoint: env.get('S3_ENDPOINT'),
      forcePathStyle: env.get('S3_FORCE_PATH_STYLE', false),
      credentials: {
        accessKeyId: env.get('S3_ACCESS_KEY_ID', ''),
        secretAccessKey: env.get('S3_SECRET_ACCESS_KEY', ''),
      },
      visibility: 'private',
      // Checksums only where S3 requires them: newer SDKs otherwise stream uploads as
      // aws-chunked bodies with trailing checksums, which many S3-protocol stores save verbatim.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Private objects only, and stores such as MinIO or s3rver have no ACL API.
      supportsACL: false,
    }),
  },
})

export default driveConfig

declare module '@adonisjs/drive/types' {
  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}
}
