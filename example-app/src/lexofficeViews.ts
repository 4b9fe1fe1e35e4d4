/**
 * How the package's answers look in this app: the guard's and the error handler's (lost or
 * missing connection), and failed logins (e.g. "Deny" on lexoffice's consent page), rendered in
 * the app's own layout for browsers, as `{ error, code, message }` JSON for everything else.
 * Given to `lexoffice.routes({ render })` and `lexoffice.connectRoutes({ render })`.
 */
import type { Response } from 'express'
import type { LexofficeRender, LexofficeView } from 'passport-lexoffice'
import { renderPage } from './errorPages'

export const renderLexofficeView: LexofficeRender = (req, res, view) => {
  const response = res as Response
  // As the package decides: a page only for a browser that asks for HTML explicitly.
  if (!/text\/html|application\/xhtml\+xml/.test(req.headers.accept ?? '')) {
    response
      .status(view.status)
      .setHeader('cache-control', 'no-store')
      .json({ error: view.error, code: view.code, message: view.message, ...view.extra })
    return
  }
  renderPage(response, view.status, 'error', { title: view.title, ...wording(view), link: view.link, code: view.code })
}

/** The app's words for the answers users meet most; the package's for the rest. */
function wording(view: LexofficeView): { heading: string; message: string } {
  switch (view.code) {
    case 'ACCESS_DENIED':
      return {
        heading: 'lexoffice was not connected',
        message:
          'You chose “Deny” on lexoffice’s page, so this app received no access and nothing was shared with it. ' +
          'To see your contacts and invoices here, try again and choose “Allow”; you can disconnect at any time.',
      }
    case 'AUTH_LOST':
      return { heading: 'lexoffice connection lost - reconnect', message: `${view.message} Connect again to continue.` }
    default:
      return { heading: view.title, message: view.message }
  }
}
