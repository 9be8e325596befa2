import type Connector from '#models/connector'
import { GraphClient } from '#connectors/graph_client'

export interface GraphUser {
  id: string
  userPrincipalName: string
  displayName: string | null
  mail: string | null
  department: string | null
  employeeId: string | null
  accountEnabled?: boolean
  assignedLicenses?: { skuId: string }[]
}

export interface Sku {
  skuId: string
  skuPartNumber: string
}

/** The three usage reports of a snapshot, as the CSV text Graph returned. */
export type M365Reports = { activeText: string; mailboxText: string; onedriveText: string }

/** Everything one snapshot reads from Microsoft Graph. */
export type M365Snapshot = { users: GraphUser[]; skus: Sku[]; reports: M365Reports }

const USER_SELECT =
  'id,userPrincipalName,displayName,mail,department,employeeId,accountEnabled,assignedLicenses'

export function graphClientFor(connector: Connector) {
  const s = connector.settings ?? {}
  const c = connector.credentials
  return new GraphClient({
    tenantId: s.tenantId,
    clientId: s.clientId,
    clientSecret: c.clientSecret,
    graphBaseUrl: s.graphBaseUrl || undefined,
    authorityHost: s.authorityHost || undefined,
    maxRetryWaitS: s.maxRetryWaitS ? Number(s.maxRetryWaitS) : undefined,
  })
}

export function subscribedSkus(graph: GraphClient) {
  return graph.getAll<Sku>('/v1.0/subscribedSkus')
}

/** Users, subscribed SKUs and the usage reports over `period`, reporting each of the five reads done. */
export async function readSnapshot(
  graph: GraphClient,
  period: string,
  step: (done: number) => void
): Promise<M365Snapshot> {
  const users = await graph.getAll<GraphUser>(`/v1.0/users?$select=${USER_SELECT}&$top=999`)
  step(1)
  const skus = await subscribedSkus(graph)
  step(2)
  const activeText = await graph.report('getOffice365ActiveUserDetail', period)
  step(3)
  const mailboxText = await graph.report('getMailboxUsageDetail', period)
  step(4)
  const onedriveText = await graph.report('getOneDriveUsageAccountDetail', period)
  step(5)
  return { users, skus, reports: { activeText, mailboxText, onedriveText } }
}
