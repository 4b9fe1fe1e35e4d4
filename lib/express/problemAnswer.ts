import type { IncomingMessage, ServerResponse } from 'node:http'
import { type LexofficeRender, acceptsHtml, currentPath, redirect, withQuery } from './answers'

/** Why a request cannot use lexoffice. @internal */
export type ConnectionProblem =
  | { kind: 'not_connected' }
  | { kind: 'auth_lost'; reason: string }
  /** Connect mode: nobody is signed in to the app, so there is no owner. */
  | { kind: 'unauthenticated' }

/** Where the answers send people, and how they are rendered. @internal */
export interface ProblemContext {
  /** The path that starts a (re)connect, e.g. `/auth/lexoffice`. */
  loginPath: string
  render: LexofficeRender
}

const LOST_REASONS: Record<string, string> = {
  invalid_grant: 'lexoffice no longer accepts this connection: it was ended in lexoffice or has expired.',
  invalid_grant_after_interrupted_refresh: 'lexoffice no longer accepts this connection: a token renewal was interrupted.',
  'token.revoked': 'The connection was revoked in lexoffice.',
  disconnected: 'The connection was disconnected.',
}

/** A readable sentence for a tombstone's reason (unknown reasons get a general one). @internal */
export function lostMessage(reason: string): string {
  return LOST_REASONS[reason] ?? 'The connection to lexoffice has ended.'
}

/** Tombstone reasons as they may travel in a URL: short, plain characters. @internal */
export function safeReason(reason: string): string {
  const clean = reason.replace(/[^\w.-]/g, '').slice(0, 64)
  return clean === '' ? 'unknown' : clean
}

/**
 * The one answer to a connection problem, used by the guard and by the error handler: browsers
 * navigating (GET/HEAD, `text/html`) go to the login path, which for a lost connection first
 * shows why; everything else gets 401 JSON. Never a redirect from the login path to itself. @internal
 */
export function answerProblem(
  req: IncomingMessage & { originalUrl?: string },
  res: ServerResponse,
  problem: ConnectionProblem,
  ctx: ProblemContext,
): void {
  const here = currentPath(req)
  const pathname = (here ?? '').split(/[?#]/)[0] ?? ''
  const atLogin = pathname === ctx.loginPath || pathname.startsWith(`${ctx.loginPath}/`)
  const navigating = (req.method === 'GET' || req.method === 'HEAD') && acceptsHtml(req) && !atLogin
  if (problem.kind === 'unauthenticated') {
    ctx.render(req, res, {
      status: 401,
      error: 'unauthenticated',
      code: 'UNAUTHENTICATED',
      title: 'Please sign in',
      message: 'Sign in to this application before connecting lexoffice.',
    })
    return
  }
  if (problem.kind === 'not_connected') {
    if (navigating) {
      redirect(req, res, withQuery(ctx.loginPath, { returnTo: here }))
      return
    }
    ctx.render(req, res, {
      status: 401,
      error: 'lexoffice_not_connected',
      code: 'NOT_CONNECTED',
      title: 'Connect lexoffice',
      message: 'This page needs a lexoffice connection.',
      link: { href: withQuery(ctx.loginPath, { returnTo: here }), text: 'Connect lexoffice' },
    })
    return
  }
  const reason = safeReason(problem.reason)
  if (navigating) {
    redirect(req, res, withQuery(ctx.loginPath, { reason, returnTo: here }))
    return
  }
  ctx.render(req, res, {
    status: 401,
    error: 'lexoffice_auth_lost',
    code: 'AUTH_LOST',
    title: 'Connect lexoffice again',
    message: lostMessage(reason),
    link: { href: withQuery(ctx.loginPath, { returnTo: here }), text: 'Connect lexoffice again' },
    extra: { reason },
  })
}
