import db from '@adonisjs/lucid/services/db'
import MappingProfile from '#models/mapping_profile'
import { audit } from '#lib/audit'
import { checkProfile, type ProfileConfig } from '#connectors/csv_profile'

/** The one write path for CSV mapping profiles: the config is checked and the name unique before anything is written. */

export class MappingProfileError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '))
  }
}

/** Creates (a new model) or updates a profile; throws MappingProfileError listing every problem. */
export async function saveMappingProfile(
  profile: MappingProfile,
  input: { name: string; config: Record<string, any> },
  userId: number | null
): Promise<MappingProfile> {
  const problems = checkProfile(input.config as ProfileConfig)
  const clash = await MappingProfile.query()
    .where('name', input.name)
    .if(profile.id, (q) => q.whereNot('id', profile.id))
    .first()
  if (clash) problems.push(`a profile named "${input.name}" exists`)
  if (problems.length) throw new MappingProfileError(problems)
  const creating = !profile.id
  profile.merge({ name: input.name, config: input.config })
  await db.transaction(async (trx) => {
    profile.useTransaction(trx)
    await profile.save()
    const action = creating ? 'mapping_profile.created' : 'mapping_profile.updated'
    await audit(
      {
        userId,
        action,
        subjectType: 'mapping_profile',
        subjectId: profile.id,
        changes: { name: profile.name, config: profile.config },
      },
      trx
    )
  })
  return profile
}
