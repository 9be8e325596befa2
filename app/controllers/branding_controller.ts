import type { HttpContext } from '@adonisjs/core/http'
import { readFile } from 'node:fs/promises'
import { logoBytes, removeLogo, saveBranding, saveLogo, BrandingError } from '#documents/branding'
import { brandingPreview } from '#documents/branding_preview'
import { brandingPageProps } from '#documents/branding_views'
import { brandingPreviewValidator, brandingValidator, logoValidator } from '#validators/branding'

/** Logo, colours, footer wording, bank details and email sender name, with a live invoice preview. */
export default class BrandingController {
  async show({ inertia }: HttpContext) {
    return inertia.render('settings/branding', await brandingPageProps())
  }

  async update({ request, response, session, auth }: HttpContext) {
    const input = await request.validateUsing(brandingValidator)
    try {
      await saveBranding(input, auth.user!.id)
    } catch (error) {
      if (!(error instanceof BrandingError)) throw error
      session.flashErrors({ [error.field]: error.message })
      return response.redirect().back()
    }
    session.flash('success', 'Branding saved: new invoices, the portal and emails use it')
    return response.redirect('/settings/branding')
  }

  async uploadLogo({ request, response, session, auth }: HttpContext) {
    const { logo } = await request.validateUsing(logoValidator)
    try {
      const { removed } = await saveLogo(
        await readFile(logo.tmpPath!),
        logo.clientName,
        auth.user!.id
      )
      session.flash(
        'success',
        removed.length
          ? `Logo uploaded. Removed from the SVG for safety: ${removed.join(', ')}`
          : 'Logo uploaded'
      )
    } catch (error) {
      if (!(error instanceof BrandingError)) throw error
      session.flashErrors({ logo: error.message })
    }
    return response.redirect('/settings/branding')
  }

  async deleteLogo({ response, session, auth }: HttpContext) {
    await removeLogo(auth.user!.id)
    session.flash('success', 'Logo removed')
    return response.redirect('/settings/branding')
  }

  /** The logo for the login page, the portal and the admin UI (public: the login page shows it). */
  async logo({ response }: HttpContext) {
    const logo = await logoBytes()
    if (!logo) return response.notFound('No logo')
    response.header('content-type', logo.mime)
    // An SVG is served as an image only: never run as a document, even if opened directly.
    response.header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.header('x-content-type-options', 'nosniff')
    response.header('cache-control', 'public, max-age=300')
    return response.send(logo.bytes)
  }

  /** The newest invoice rendered with the colours and footer as typed (HTML for the preview frame). */
  async preview({ request, response }: HttpContext) {
    const input = await request.validateUsing(brandingPreviewValidator, { data: request.qs() })
    const html = await brandingPreview({
      colour: input.colour ?? null,
      light_colour: input.lightColour ?? null,
      footer: input.footer ?? '',
    })
    response.header('content-type', 'text/html; charset=utf-8')
    return response.send(html)
  }
}
