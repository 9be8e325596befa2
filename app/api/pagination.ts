import type { ModelPaginatorContract, LucidRow } from '@adonisjs/lucid/types/model'
import type { SimplePaginatorContract } from '@adonisjs/lucid/types/querybuilder'

/** The page every list of /api/v1 answers with. */
export interface ApiPage<T> {
  data: T[]
  meta: { total: number; perPage: number; currentPage: number; lastPage: number }
}

export const MAX_PER_PAGE = 100
export const DEFAULT_PER_PAGE = 25

export function pageOf<R, T>(
  paginator: ModelPaginatorContract<LucidRow & R> | SimplePaginatorContract<R>,
  serialize: (row: R) => T
): ApiPage<T> {
  return {
    data: (paginator.all() as R[]).map(serialize),
    meta: {
      total: Number(paginator.total),
      perPage: paginator.perPage,
      currentPage: paginator.currentPage,
      lastPage: paginator.lastPage,
    },
  }
}

/** A list that is small by nature (a customer's departments) paged in memory, same shape. */
export function pageOfArray<T>(rows: T[], page: number, perPage: number): ApiPage<T> {
  return {
    data: rows.slice((page - 1) * perPage, page * perPage),
    meta: {
      total: rows.length,
      perPage,
      currentPage: page,
      lastPage: Math.max(1, Math.ceil(rows.length / perPage)),
    },
  }
}
