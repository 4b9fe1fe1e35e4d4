import { createRequire } from 'node:module'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A request handler as Express 4 and 5 call it. */
export type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void

/** The part of an Express `Router` the package uses. */
export interface RouterLike extends Handler {
  use(...handlers: Handler[]): unknown
  get(path: string, ...handlers: Handler[]): unknown
  post(path: string, ...handlers: Handler[]): unknown
}

interface ExpressLike {
  Router(): RouterLike
  urlencoded(options: { extended: boolean; limit: string }): Handler
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
