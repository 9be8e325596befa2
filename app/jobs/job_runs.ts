/*
 * The scheduler's claims: the lease machinery lives in app/lib/job_claims.ts so that capability
 * modules (an import's processing) can claim work too without depending on app/jobs.
 */
export {
  abandonExpired,
  leaseMs,
  needsResume,
  runOnce,
  tickKey,
  workerName,
  type Claimed,
} from '#lib/job_claims'
