import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import MappingProfile from '#models/mapping_profile'
import { audit } from '#lib/audit'
import { mappingProfileValidator, profilePreviewValidator } from '#validators/connector'
import { PROFILE_FIELDS, checkProfile, type ProfileConfig } from '#connectors/csv_profile'
import { previewProfileRated, profileFormOptions } from '#connectors/profile_preview'

export default class MappingProfilesController {
  async index({ inertia }: HttpContext) {
    const profiles = await MappingProfile.query().orderBy('name')
    return inertia.render('connectors/profiles', { profiles: profiles.map((p) => ({ id: p.id, name: p.name, config: p.config })) })
  }

  async create({ inertia }: HttpContext) {
    return inertia.render('connectors/profile_form', { profile: null, fields: PROFILE_FIELDS, options: await profileFormOptions() })
  }

  async edit({ inertia, params }: HttpContext) {
    const p = await MappingProfile.findOrFail(params.id)
    return inertia.render('connectors/profile_form', { profile: { id: p.id, name: p.name, config: p.config }, fields: PROFILE_FIELDS, options: await profileFormOptions() })
  }

  private async save({ request, response, session, auth }: HttpContext, profile: MappingProfile) {
    const input = await request.validateUsing(mappingProfileValidator)
    const problems = checkProfile(input.config as ProfileConfig)
    const clash = await MappingProfile.query().where('name', input.name).if(profile.id, (q) => q.whereNot('id', profile.id)).first()
    if (clash) problems.push(`a profile named "${input.name}" exists`)
    if (problems.length) {
      session.flashErrors({ config: problems.join('; ') })
      session.flashAll()
      return response.redirect().back()
    }
    const creating = !profile.id
    profile.merge({ name: input.name, config: input.config })
    await db.transaction(async (trx) => {
      profile.useTransaction(trx)
      await profile.save()
      await audit({ userId: auth.user!.id, action: creating ? 'mapping_profile.created' : 'mapping_profile.updated', subjectType: 'mapping_profile', subjectId: profile.id, changes: { name: profile.name, config: profile.config } }, trx)
    })
    session.flash('success', 'Mapping profile saved')
    return response.redirect('/mapping-profiles')
  }

  async store(ctx: HttpContext) {
    return this.save(ctx, new MappingProfile())
  }

  async update(ctx: HttpContext) {
    return this.save(ctx, await MappingProfile.findOrFail(ctx.params.id))
  }

  /** Live preview: the first rows of a sample parsed with the profile being edited, with the price each would get (JSON). */
  async preview({ request, response }: HttpContext) {
    const input = await request.validateUsing(profilePreviewValidator)
    return response.json(await previewProfileRated({ ...input, config: input.config as ProfileConfig }))
  }
}
