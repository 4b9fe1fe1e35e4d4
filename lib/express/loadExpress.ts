import { createRequire } from 'node:module'
import type { LexofficeRequestHandler } from './LexofficeRequestHandler'

/** The part of an Express `Router` the package uses. */
export interface RouterLike extends LexofficeRequestHandler {
  use(...handlers: LexofficeRequestHandler[]): unknown
  get(path: string, ...handlers: LexofficeRequestHandler[]): unknown
  post(path: string, ...handlers: LexofficeRequestHandler[]): unknown
}

interface ExpressLike {
  Router(): RouterLike
  urlencoded(options: { extended: boolean; limit: string }): LexofficeRequestHandler
}

let loaded: ExpressLike | undefined

/**
 * The app's own express (a peer dependency), loaded on first use so that apps that never mount
 * the ready-made routes do not need it. @internal
 */
export function loadExpress(): ExpressLike {
  if (loaded === undefined) {
    try {
      loaded = createRequire(__filename)('express') as ExpressLike
    } catch {
      throw new Error('The ready-made routes of passport-lexoffice need express: npm install express')
    }
  }
  return loaded
}
