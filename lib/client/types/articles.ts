import type { PageParams } from './common'

/**
 * An article (`/v1/articles`). New articles need no `version`; updates need the current one.
 *
 * @example
 * ```ts
 * const article: Article = { title: 'Consulting', type: 'SERVICE', unitName: 'h',
 *   price: { netPrice: 100, leadingPrice: 'NET', taxRate: 19 } }
 * ```
 */
export interface Article {
  id?: string
  organizationId?: string
  createdDate?: string
  updatedDate?: string
  archived?: boolean
  title: string
  description?: string
  type: 'PRODUCT' | 'SERVICE'
  articleNumber?: string
  gtin?: string
  note?: string
  unitName: string
  price: { netPrice?: number; grossPrice?: number; leadingPrice: 'NET' | 'GROSS'; taxRate: number }
  version?: number
}

/**
 * Filters of `GET /v1/articles`.
 *
 * @example
 * ```ts
 * const filter: ArticleFilter = { type: 'PRODUCT', gtin: '4006381333931' }
 * ```
 */
export interface ArticleFilter {
  articleNumber?: string
  gtin?: string
  type?: 'PRODUCT' | 'SERVICE'
}

/**
 * {@link ArticleFilter} plus paging.
 *
 * @example
 * ```ts
 * await client.articles.list({ articleNumber: 'A-1', size: 10 })
 * ```
 */
export type ArticleListParams = ArticleFilter & PageParams
