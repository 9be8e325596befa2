import { branding, LOGO_MAX_BYTES } from '#documents/branding'

/** Read model of the branding settings page (settings/branding). */

export type BrandingView = {
  name: string
  hasLogo: boolean
  /** Changes with every new logo, so the page's image URL does not show a cached one. */
  logoVersion: string | null
  colour: string | null
  lightColour: string | null
  footer: string
  senderName: string
  paymentDetails: string
}

export type BrandingPageProps = {
  branding: BrandingView
  logoMaxKb: number
}

export async function brandingPageProps(): Promise<BrandingPageProps> {
  const b = await branding()
  return {
    branding: {
      name: b.name,
      hasLogo: Boolean(b.logoKey),
      logoVersion: b.logoKey,
      colour: b.colour,
      lightColour: b.lightColour,
      footer: b.footer,
      senderName: b.senderName,
      paymentDetails: b.paymentDetails,
    },
    logoMaxKb: LOGO_MAX_BYTES / 1024,
  }
}
