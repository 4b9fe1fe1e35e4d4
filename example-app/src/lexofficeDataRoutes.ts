/** The pages that show lexoffice data through the typed API client: contacts, invoices, an invoice's PDF. */
import { type Request, type Response, Router } from 'express'
import type { Lexoffice } from 'passport-lexoffice'
import { connectionViews, currentLexoffice } from './connections'
import { badRequest, renderPage } from './errorPages'
import { signedIn } from './signedIn'
import { calendarDate, localeOf } from './time'

const PAGE_SIZE = 10
/** lexoffice pages from 0; people from 1. */
const MAX_PAGE = 400

/** GET /contacts, /invoices and /invoices/:id/pdf, for signed-in users with a live lexoffice connection. */
export function lexofficeDataRoutes(lexoffice: Lexoffice): Router {
  const router = Router()
  // The package's guard: without a live connection, browsers go to (re)connect, JSON clients get 401.
  const connected = lexoffice.required()

  router.get('/contacts', signedIn, connected, async (req, res, next) => {
    try {
      const page = pageParam(req, res)
      if (page === undefined) return
      const current = await currentLexoffice(req)
      const result = await current.lexoffice.client.contacts.list({ page: page - 1, size: PAGE_SIZE })
      if (beyondLastPage(req, res, page, result.totalPages)) return
      renderPage(res, 200, 'contacts', {
        title: 'Contacts',
        page: 'contacts',
        pager: pager(page, result),
        organizations: connectionViews(current),
        contacts: result.content.map((c) => ({
          number: c.roles.customer?.number ?? c.roles.vendor?.number ?? '',
          name: c.company?.name ?? [c.person?.firstName, c.person?.lastName].filter(Boolean).join(' '),
          roles: Object.keys(c.roles).join(', '),
          email: firstEmail(c.emailAddresses),
        })),
      })
    } catch (err) {
      next(err)
    }
  })

  router.get('/invoices', signedIn, connected, async (req, res, next) => {
    try {
      const page = pageParam(req, res)
      if (page === undefined) return
      const current = await currentLexoffice(req)
      const result = await current.lexoffice.client.voucherlist.list({
        voucherType: 'invoice',
        voucherStatus: 'any',
        page: page - 1,
        size: PAGE_SIZE,
      })
      if (beyondLastPage(req, res, page, result.totalPages)) return
      renderPage(res, 200, 'invoices', {
        title: 'Invoices',
        page: 'invoices',
        pager: pager(page, result),
        organizations: connectionViews(current),
        invoices: result.content.map((v) => ({
          id: v.id,
          number: v.voucherNumber || '(draft)',
          date: calendarDate(v.voucherDate),
          contactName: v.contactName,
          status: v.voucherStatus,
          total: money(v.totalAmount, v.currency, req),
        })),
      })
    } catch (err) {
      next(err)
    }
  })

  router.get('/invoices/:id/pdf', signedIn, connected, async (req, res, next) => {
    try {
      const id = String(req.params.id)
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
        badRequest(res, 'Unknown invoice', 'That is not an invoice id.', { href: '/invoices', text: 'Invoices' })
        return
      }
      const { lexoffice: ctx } = await currentLexoffice(req)
      const file = await ctx.client.invoices.downloadFile(id)
      res.setHeader('content-type', 'application/pdf')
      res.setHeader('content-disposition', `attachment; filename="${(file.filename ?? `invoice-${id}.pdf`).replace(/[^\w.-]/g, '_')}"`)
      res.end(file.data)
    } catch (err) {
      next(err)
    }
  })

  return router
}

/** `?page=` (1 to 400, default 1); anything else gets a 400 page that links to the first page. */
function pageParam(req: Request, res: Response): number | undefined {
  const value = req.query.page
  if (value === undefined) return 1
  const n = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : NaN
  if (n >= 1 && n <= MAX_PAGE) return n
  badRequest(
    res,
    'No such page',
    `Pages are numbered from 1; "${typeof value === 'string' ? value.slice(0, 20) : '…'}" is not a page number.`,
    {
      href: req.path,
      text: 'First page',
    },
  )
  return undefined
}

/** A page past the end (e.g. `?page=99` of 4) goes to the last page, saying so. */
function beyondLastPage(req: Request, res: Response, page: number, totalPages: number): boolean {
  const last = Math.max(totalPages, 1)
  if (page <= last) return false
  req.session.flash = {
    kind: 'bad',
    text: `There is no page ${page}: the list has ${last} page${last === 1 ? '' : 's'}. This is the last one.`,
  }
  res.redirect(`${req.path}?page=${last}`)
  return true
}

function pager(page: number, result: { totalPages: number; totalElements: number }): Record<string, number | undefined> {
  const last = Math.max(result.totalPages, 1)
  return { page, last, total: result.totalElements, previous: page > 1 ? page - 1 : undefined, next: page < last ? page + 1 : undefined }
}

function money(amount: number, currency: string, req: Request): string {
  try {
    return new Intl.NumberFormat(localeOf(req), { style: 'currency', currency }).format(amount)
  } catch {
    return `${amount.toFixed(2)} ${currency}`
  }
}

function firstEmail(emails: unknown): string {
  if (!emails || typeof emails !== 'object') return ''
  for (const list of Object.values(emails as Record<string, unknown>)) {
    if (Array.isArray(list) && typeof list[0] === 'string') return list[0]
  }
  return ''
}
