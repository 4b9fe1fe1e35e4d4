import type { SandboxHandler, SandboxRoute } from './types'

/** The result of {@link SandboxRouter.match}. @internal */
export type RouteMatch<Ctx> =
  | { kind: 'found'; handler: SandboxHandler<Ctx>; params: Record<string, string> }
  /** The path exists, but not for this method: answer 405 with `Allow`. */
  | { kind: 'method'; allow: string[] }
  | { kind: 'none' }
  /** A path parameter is not valid percent-encoding: answer 400. */
  | { kind: 'bad-path' }

interface CompiledRoute<Ctx> {
  route: SandboxRoute<Ctx>
  segments: readonly string[]
}

/**
 * A tiny router: method plus a pattern of `/`-separated segments, where `:name` segments capture
 * one (percent-decoded) path segment. Static routes and parameter routes are tried in the
 * order they were given; the first match wins.
 *
 * @internal
 */
export class SandboxRouter<Ctx> {
  readonly #routes: CompiledRoute<Ctx>[]

  constructor(routes: readonly SandboxRoute<Ctx>[]) {
    this.#routes = routes.map((route) => {
      if (!route.pattern.startsWith('/')) throw new TypeError(`sandbox route pattern must start with "/": ${route.pattern}`)
      return { route, segments: route.pattern.split('/').slice(1) }
    })
  }

  /** Finds the handler for `method` and `path` (path without query string). */
  match(method: string, path: string): RouteMatch<Ctx> {
    const parts = path.split('/').slice(1)
    const allow = new Set<string>()
    for (const { route, segments } of this.#routes) {
      if (segments.length !== parts.length) continue
      const params: Record<string, string> = Object.create(null) as Record<string, string>
      let ok = true
      for (let i = 0; i < segments.length && ok; i++) {
        const seg = segments[i]
        const part = parts[i]
        if (seg.startsWith(':')) {
          if (part === '') ok = false
          else {
            try {
              params[seg.slice(1)] = decodeURIComponent(part)
            } catch {
              return { kind: 'bad-path' }
            }
          }
        } else if (seg !== part) ok = false
      }
      if (!ok) continue
      if (route.method === method) return { kind: 'found', handler: route.handler, params }
      allow.add(route.method)
    }
    return allow.size > 0 ? { kind: 'method', allow: [...allow] } : { kind: 'none' }
  }
}
