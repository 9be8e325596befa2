import { usePage } from '@inertiajs/vue3'
import { computed } from 'vue'

/**
 * Whether the signed-in staff user may change things: drives the edit buttons and forms of a
 * page. The server decides (`can` in config/inertia.ts, from the role lists in app/models/user.ts).
 */
export function useCanEdit() {
  const page = usePage()
  return computed(() => page.props.can?.edit === true)
}
