import type { HttpContext } from '@adonisjs/core/http'
import MappingProfile from '#models/mapping_profile'
import { mappingProfileValidator, profilePreviewValidator } from '#validators/connector'
import type { ProfileConfig } from '#connectors/csv_profile'
import { MappingProfileError, saveMappingProfile } from '#connectors/mapping_profile_admin'
import { previewProfileRated } from '#connectors/profile_preview'
import {
  mappingProfileFormProps,
  mappingProfilesIndexProps,
} from '#connectors/mapping_profile_views'

export default class MappingProfilesController {
  async index({ inertia }: HttpContext) {
    return inertia.render('connectors/profiles', await mappingProfilesIndexProps())
  }

  async create({ inertia }: HttpContext) {
    return inertia.render('connectors/profile_form', await mappingProfileFormProps(null))
  }

  async edit({ inertia, params }: HttpContext) {
    const profile = await MappingProfile.findOrFail(params.id)
    return inertia.render('connectors/profile_form', await mappingProfileFormProps(profile))
  }

  private async save({ request, response, session, auth }: HttpContext, profile: MappingProfile) {
    const input = await request.validateUsing(mappingProfileValidator)
    try {
      await saveMappingProfile(profile, input, auth.user!.id)
    } catch (error) {
      if (!(error instanceof MappingProfileError)) throw error
      session.flashErrors({ config: error.message })
      session.flashAll()
      return response.redirect().back()
    }
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
    return response.json(
      await previewProfileRated({ ...input, config: input.config as ProfileConfig })
    )
  }
}
