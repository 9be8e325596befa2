import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import { weakPasswordReason } from '#lib/passwords'

/** Refuses guessable passwords (#lib/passwords), naming why; the sibling email and full name count as context. */
export const notGuessable = vine.createRule(
  (value: unknown, _options: undefined, field: FieldContext) => {
    if (typeof value !== 'string') return
    const parent = (field.parent ?? {}) as Record<string, unknown>
    const context = [
      String(parent.email ?? '').split('@')[0],
      ...String(parent.fullName ?? '').split(/\s+/),
    ]
    const reason = weakPasswordReason(value, context)
    if (reason)
      field.report(
        `This password ${reason}: choose one that is harder to guess`,
        'notGuessable',
        field
      )
  }
)
