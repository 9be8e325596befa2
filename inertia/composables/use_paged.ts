import { computed, ref, watch, type Ref } from 'vue'

/**
 * Paging in the browser for lists the server sends whole (a customer's numbers, recurring charges):
 * 50 rows a page, back to page 1 when the list changes (a new search).
 */
export function usePaged<T>(rows: Ref<T[]>, perPage = 50) {
  const page = ref(1)
  const lastPage = computed(() => Math.max(1, Math.ceil(rows.value.length / perPage)))
  watch(
    () => rows.value.length,
    () => (page.value = 1)
  )
  const pageRows = computed(() =>
    rows.value.slice((page.value - 1) * perPage, page.value * perPage)
  )
  const meta = computed(() => ({
    currentPage: page.value,
    lastPage: lastPage.value,
    total: rows.value.length,
    perPage,
  }))
  return { page, pageRows, meta }
}
