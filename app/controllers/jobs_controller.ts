import type { HttpContext } from '@adonisjs/core/http'
import { jobRunsIndexProps } from '#jobs/job_run_views'

export default class JobsController {
  async index({ inertia, request }: HttpContext) {
    const job = String(request.input('job', ''))
    return inertia.render('jobs/index', await jobRunsIndexProps(job))
  }
}
