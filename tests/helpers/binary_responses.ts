import { ApiRequest } from '@japa/api-client'

const binary = (res: any, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = []
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)))
  res.on('end', () => done(null, Buffer.concat(chunks)))
}
const BINARY_TYPES = [
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/pdf',
]

/** For one group: XLSX and PDF responses come back as Buffers in response.body(); removed afterwards. */
export function binaryResponses(group: { setup: (fn: () => any) => any }) {
  group.setup(() => {
    for (const type of BINARY_TYPES) ApiRequest.addParser(type, binary as any)
    return () => {
      for (const type of BINARY_TYPES) ApiRequest.removeParser(type)
    }
  })
}
