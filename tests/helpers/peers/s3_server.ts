import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
// s3rver is CommonJS without types: a protocol-faithful S3 server for put/get/list/delete/multipart.
// @ts-expect-error no type declarations
import S3rver from 's3rver'

/** s3rver checks request signatures against this fixed key pair. */
const ACCESS_KEY = 'S3RVER'

export interface S3Peer {
  endpoint: string
  bucket: string
  /** The environment that points a Tollgate process at this store. */
  env: Record<string, string>
  keys(prefix?: string): Promise<string[]>
  bytes(key: string): Promise<Buffer>
  close(): Promise<void>
}

/** A real S3-protocol server (s3rver) on 127.0.0.1 with one empty bucket. */
export async function startS3Peer(bucket = 'tollgate-test'): Promise<S3Peer> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  })
  const address = (await server.run()) as AddressInfo
  const endpoint = `http://127.0.0.1:${address.port}`
  const client = new S3Client({
    endpoint,
    region: 'eu-west-2',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: ACCESS_KEY },
  })
  return {
    endpoint,
    bucket,
    env: {
      DRIVE_DISK: 's3',
      S3_BUCKET: bucket,
      S3_REGION: 'eu-west-2',
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: ACCESS_KEY,
    },
    async keys(prefix = '') {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
      return (listed.Contents ?? []).map((o) => o.Key!).sort()
    },
    async bytes(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      return Buffer.from(await object.Body!.transformToByteArray())
    },
    async close() {
      client.destroy()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
