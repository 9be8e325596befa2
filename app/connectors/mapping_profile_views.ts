import MappingProfile from '#models/mapping_profile'
import { PROFILE_FIELDS, type ProfileConfig, type ProfileField } from '#connectors/csv_profile'
import { profileFormOptions, type ProfileFormOptions } from '#connectors/profile_preview'

/** Read models of the mapping profile pages (connectors/profiles, connectors/profile_form). */

export type MappingProfileView = {
  id: number
  name: string
  config: ProfileConfig
}

export type MappingProfilesIndexProps = {
  profiles: MappingProfileView[]
}

/** The form: null `profile` for a new one; the fields a column can be mapped to; the preview's choices. */
export type MappingProfileFormProps = {
  profile: MappingProfileView | null
  fields: ProfileField[]
  options: ProfileFormOptions
}

/** A stored config passed checkProfile when saveMappingProfile wrote it. */
function profileView(p: MappingProfile): MappingProfileView {
  return { id: p.id, name: p.name, config: p.config as ProfileConfig }
}

export async function mappingProfilesIndexProps(): Promise<MappingProfilesIndexProps> {
  const profiles = await MappingProfile.query().orderBy('name')
  return { profiles: profiles.map(profileView) }
}

export async function mappingProfileFormProps(
  profile: MappingProfile | null
): Promise<MappingProfileFormProps> {
  return {
    profile: profile ? profileView(profile) : null,
    fields: [...PROFILE_FIELDS],
    options: await profileFormOptions(),
  }
}
