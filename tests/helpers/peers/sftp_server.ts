import ssh2 from 'ssh2'
import { createHash } from 'node:crypto'
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  statSync,
  writeSync,
  rmSync,
} from 'node:fs'
import { join, posix } from 'node:path'
import type { AddressInfo } from 'node:net'

const { Server, utils } = ssh2
const { STATUS_CODE } = utils.sftp

function attrsOf(st: import('node:fs').Stats) {
  return {
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  }
}

function longname(name: string, st: import('node:fs').Stats) {
  const type = st.isDirectory() ? 'd' : '-'
  return `${type}rw-r--r--    1 tollgate tollgate ${String(st.size).padStart(8)} Jan  1 00:00 ${name}`
}

/**
 * A real SFTP server for tests (ssh2's Server with a freshly generated host key),
 * serving a local directory as "/". Password authentication only.
 */
export async function startSftpServer(
  root: string,
  credentials = { username: 'tollgate', password: 'sftp-secret' }
) {
  const hostKey = utils.generateKeyPairSync('ed25519')
  const logins: string[] = []
  /** Every authentication request, accepted or not (method names: none, password, ...). */
  const authAttempts: string[] = []
  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('authentication', (ctx) => {
      authAttempts.push(ctx.method)
      if (
        ctx.method === 'password' &&
        ctx.username === credentials.username &&
        ctx.password === credentials.password
      ) {
        logins.push(ctx.username)
        return ctx.accept()
      }
      return ctx.reject(['password'])
    })
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession()
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp()
          const handles = new Map<number, { fd?: number; dir?: string; listed?: boolean }>()
          let nextHandle = 1
          const local = (p: string) => join(root, posix.normalize('/' + p))
          const handleBuf = (n: number) => {
            const b = Buffer.alloc(4)
            b.writeUInt32BE(n)
            return b
          }
          const handleOf = (b: Buffer) => handles.get(b.readUInt32BE(0))
          const fail = (reqid: number, e: any) =>
            sftp.status(
              reqid,
              e?.code === 'ENOENT' ? STATUS_CODE.NO_SUCH_FILE : STATUS_CODE.FAILURE,
              String(e?.message ?? e)
            )

          sftp.on('REALPATH', (reqid, path) => {
            const p = posix.normalize('/' + (path === '.' ? '' : path))
            sftp.name(reqid, [{ filename: p, longname: p, attrs: {} as any }])
          })
          const stat = (reqid: number, path: string) => {
            try {
              sftp.attrs(reqid, attrsOf(statSync(local(path))))
            } catch (e) {
              fail(reqid, e)
            }
          }
          sftp.on('STAT', stat)
          sftp.on('LSTAT', stat)
          sftp.on('FSTAT', (reqid, handle) => {
            const h = handleOf(handle)
            if (!h || h.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE)
            sftp.attrs(reqid, attrsOf(fstatSync(h.fd)))
          })
          sftp.on('OPEN', (reqid, filename, flags) => {
            try {
              const mode = utils.sftp.flagsToString(flags) ?? 'r'
              const fd = openSync(local(filename), mode)
              const id = nextHandle++
              handles.set(id, { fd })
              sftp.handle(reqid, handleBuf(id))
            } catch (e) {
              fail(reqid, e)
            }
          })
          sftp.on('READ', (reqid, handle, offset, length) => {
            const h = handleOf(handle)
            if (!h || h.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE)
            const buf = Buffer.alloc(length)
            const n = readSync(h.fd, buf, 0, length, offset)
            if (n === 0) return sftp.status(reqid, STATUS_CODE.EOF)
            sftp.data(reqid, buf.subarray(0, n))
          })
          sftp.on('WRITE', (reqid, handle, offset, data) => {
            const h = handleOf(handle)
            if (!h || h.fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE)
            writeSync(h.fd, data, 0, data.length, offset)
            sftp.status(reqid, STATUS_CODE.OK)
          })
          sftp.on('OPENDIR', (reqid, path) => {
            try {
              if (!statSync(local(path)).isDirectory())
                return sftp.status(reqid, STATUS_CODE.FAILURE, 'not a directory')
              const id = nextHandle++
              handles.set(id, { dir: local(path) })
              sftp.handle(reqid, handleBuf(id))
            } catch (e) {
              fail(reqid, e)
            }
          })
          sftp.on('READDIR', (reqid, handle) => {
            const h = handleOf(handle)
            if (!h || !h.dir) return sftp.status(reqid, STATUS_CODE.FAILURE)
            if (h.listed) return sftp.status(reqid, STATUS_CODE.EOF)
            h.listed = true
            const names = readdirSync(h.dir).map((name) => {
              const st = statSync(join(h.dir!, name))
              return { filename: name, longname: longname(name, st), attrs: attrsOf(st) }
            })
            sftp.name(reqid, names)
          })
          sftp.on('CLOSE', (reqid, handle) => {
            const id = handle.readUInt32BE(0)
            const h = handles.get(id)
            if (h?.fd !== undefined) closeSync(h.fd)
            handles.delete(id)
            sftp.status(reqid, STATUS_CODE.OK)
          })
          sftp.on('RENAME', (reqid, from, to) => {
            try {
              renameSync(local(from), local(to))
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (e) {
              fail(reqid, e)
            }
          })
          sftp.on('MKDIR', (reqid, path) => {
            try {
              mkdirSync(local(path))
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (e) {
              fail(reqid, e)
            }
          })
          sftp.on('REMOVE', (reqid, path) => {
            try {
              rmSync(local(path))
              sftp.status(reqid, STATUS_CODE.OK)
            } catch (e) {
              fail(reqid, e)
            }
          })
        })
      })
    })
    client.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  // As `ssh-keygen -lf` prints it: SHA256 of the public key blob, base64 without padding.
  const publicKey = utils.parseKey(hostKey.public)
  const blob = (
    Array.isArray(publicKey) ? publicKey[0] : (publicKey as any)
  ).getPublicSSH() as Buffer
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
  return {
    port,
    logins,
    authAttempts,
    fingerprint,
    ...credentials,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
