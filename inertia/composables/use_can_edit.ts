import { usePage } from '@inertiajs/vue3'
import { computed } from 'vue'
import type { UserRole } from '~/types'

/** Roles that may change things; `viewer` only reads (start/routes/* enforce the same on the server). */
const EDITOR_ROLES: readonly UserRole[] = ['admin', 'billing']

/** Whether the signed-in staff user may change things: drives the edit buttons and forms of a page. */
export function useCanEdit() {
  const page = usePage()
  return computed(() => {
    const role = page.props.user?.role
    return role !== undefined && EDITOR_ROLES.includes(role)
  })
}
