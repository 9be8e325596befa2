import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { IncomingMessage } from 'node:http'
import type { HttpContext } from '@adonisjs/core/http'
import { errors } from '@vinejs/vine'

/**
 * Resolves once the rest of a request's body has been read and dropped, or once `maxBytes` more
 * were dropped (the rest is left unread and Node closes the connection after the answer).
 */
export function drainRequest(req: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY) {
  return new Promise<void>((resolve) => {
    if (req.readableEnded || req.destroyed) return resolve()
    let dropped = 0
    const done = () => {
      req.off('data', count)
      req.off('end', done)
      req.off('close', done)
      resolve()
    }
    const count = (chunk: Buffer) => {
      dropped += chunk.length
      if (dropped > maxBytes) {
        req.pause()
        done()
      }
    }
    req.on('data', count)
    req.once('end', done)
    req.once('close', done)
    req.resume()
  })
}

/**
 * Receives the files of a multipart request whose route is listed in the bodyparser's
 * `processManually` (config/bodyparser.ts): nothing is read until the route's middleware
 * (auth, role, CSRF) has let the request in, the files are streamed straight to `dir`,
 * and the stream stops at `limit` bytes of files with an error naming `field`. Afterwards
 * `request.validateUsing()` sees the fields and files as usual (`file.tmpPath` is in `dir`).
 * Call `discard()` when the files are not handed on (validation failed).
 */
export async function receiveUploads(
  request: HttpContext['request'],
  options: { dir: string; limit: number; field: string }
) {
  const paths: string[] = []
  const discard = async () => {
    await Promise.all(paths.map((p) => rm(p, { force: true })))
  }
  if (!request.is(['multipart/form-data']) || request.multipart.state !== 'idle') return { discard }

  await mkdir(options.dir, { recursive: true })
  request.multipart.onFile('*', { deferValidations: true }, async (part, reportChunk) => {
    const tmpPath = join(options.dir, randomUUID())
    paths.push(tmpPath)
    // reportChunk counts the bytes against the limit (and aborts the request past it).
    part.pause()
    part.on('data', reportChunk)
    try {
      await pipeline(part, createWriteStream(tmpPath))
    } catch (error) {
      await rm(tmpPath, { force: true })
      throw error
    }
    return { tmpPath }
  })
  try {
    await request.multipart.process({ limit: options.limit })
  } catch (error) {
    await discard()
    if ((error as { code?: string }).code === 'E_REQUEST_ENTITY_TOO_LARGE') {
      // Read (and drop) the rest of the body: a client still sending would not see an early answer.
      await drainRequest(request.request)
      throw new errors.E_VALIDATION_ERROR([
        {
          field: options.field,
          rule: 'file.size',
          message: `The file must be smaller than ${Math.floor(options.limit / 1024 / 1024)} MB`,
        },
      ])
    }
    throw error
  }
  return { discard }
}
