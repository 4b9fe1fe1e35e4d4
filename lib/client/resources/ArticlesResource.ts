import type { ApiTransport } from '../ApiTransport'
import { buildQuery } from '../encodeSearchString'
import { collect, iteratePages, pathId } from '../paging'
import type { ActionResult, IterateOptions, Page } from '../types/common'
import type { Article, ArticleFilter, ArticleListParams } from '../types/articles'

/**
 * `/v1/articles`: list (paged), get, create, update, delete.
 *
 * @example
 * ```ts
 * const { id } = await client.articles.create(article)
 * await client.articles.delete(id)
 * ```
 */
export class ArticlesResource {
  readonly #t: ApiTransport
  /** @internal */
  constructor(transport: ApiTransport) {
    this.#t = transport
  }
  /** `GET /v1/articles`: one page. */
  async list(params: ArticleListParams = {}): Promise<Page<Article>> {
    const query = buildQuery({
      articleNumber: params.articleNumber,
      gtin: params.gtin,
      type: params.type,
      page: params.page,
      size: params.size,
      sort: params.sort,
    })
    return this.#t.json<Page<Article>>({ method: 'GET', path: '/v1/articles', query })
  }
  /** Every matching article, page after page. */
  iterate(filter: ArticleFilter = {}, options: IterateOptions = {}): AsyncGenerator<Article, void, undefined> {
    return iteratePages('/v1/articles', (page, size) => this.list({ ...filter, page, size }), options)
  }
  /** {@link ArticlesResource.iterate} collected into an array. */
  async listAll(filter: ArticleFilter = {}, options: IterateOptions = {}): Promise<Article[]> {
    return collect(this.iterate(filter, options))
  }
  /** `GET /v1/articles/{id}`. */
  async get(id: string): Promise<Article> {
    return this.#t.json<Article>({ method: 'GET', path: `/v1/articles/${pathId(id)}` })
  }
  /** `POST /v1/articles`. */
  async create(article: Article): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'POST', path: '/v1/articles', json: article })
  }
  /** `PUT /v1/articles/{id}` with the current `version`. */
  async update(id: string, article: Article): Promise<ActionResult> {
    return this.#t.json<ActionResult>({ method: 'PUT', path: `/v1/articles/${pathId(id)}`, json: article })
  }
  /** `DELETE /v1/articles/{id}` (204). */
  async delete(id: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `/v1/articles/${pathId(id)}` })
  }
}
