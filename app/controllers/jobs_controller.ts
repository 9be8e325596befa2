import type { HttpContext } from '@adonisjs/core/http'
import JobRun from '#models/job_run'

export default class JobsController {
  async index({ inertia, request }: HttpContext) {
    const job = String(request.input('job', ''))
    const runs = await JobRun.query()
      .if(job, (q) => q.where('job', job))
      .orderBy('id', 'desc')
      .limit(300)
    return inertia.render('jobs/index', {
      job,
      runs: runs.map((r) => ({
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
      })),
    })
  }
}
