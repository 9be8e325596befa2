import JobRun from '#models/job_run'

/** Read model of the job runs page (jobs/index): the latest 300 runs, optionally of one job. */

export type JobRunView = {
  id: number
  job: string
  runKey: string | null
  status: JobRun['status']
  worker: string | null
  detail: Record<string, unknown> | null
  /** The error's first line. */
  error: string | null
  startedAt: string | null
  finishedAt: string | null
  /** How long it ran; null while it runs. */
  ms: number | null
}

export type JobRunsIndexProps = {
  /** The job the list is narrowed to ('' for all). */
  job: string
  runs: JobRunView[]
}

function runView(r: JobRun): JobRunView {
  return {
    id: r.id,
    job: r.job,
    runKey: r.runKey,
    status: r.status,
    worker: r.worker,
    detail: r.detail,
    error: r.error ? r.error.split('\n')[0] : null,
    startedAt: r.startedAt?.toISO() ?? null,
    finishedAt: r.finishedAt?.toISO() ?? null,
    ms: r.finishedAt && r.startedAt ? r.finishedAt.diff(r.startedAt).as('milliseconds') : null,
  }
}

export async function jobRunsIndexProps(job: string): Promise<JobRunsIndexProps> {
  const runs = await JobRun.query()
    .if(job, (q) => q.where('job', job))
    .orderBy('id', 'desc')
    .limit(300)
  return { job, runs: runs.map(runView) }
}
