/** The pages that show lexoffice data through the typed API client: contacts, invoices, an invoice's PDF. */
import { Router } from 'express'
import { badRequest } from './errorPages'
import { client, needLexoffice, signedIn } from './routeGuards'

/** GET /contacts, /invoices and /invoices/:id/pdf, for signed-in users with a lexoffice connection. */
export function lexofficeDataRoutes(): Router {
  const router = Router()
  const needsLexoffice = needLexoffice()

  router.get('/contacts', signedIn, needsLexoffice, async (req, res, next) => {
    try {
      const page = pageParam(req.query.page)
      if (page === undefined) return badRequest(res, 'Bad page number', 'The page number must be a whole number from 0 to 399.')
      const result = await client(req).contacts.list({ page, size: 10 })
      res.render('contacts', {
        title: 'Contacts',
        page: 'contacts',
        pageInfo: result,
        contacts: result.content.map((c) => ({
          number: c.roles?.customer?.number ?? c.roles?.vendor?.number ?? '',
          name: c.company?.name ?? [c.person?.firstName, c.person?.lastName].filter(Boolean).join(' '),
          roles: Object.keys(c.roles ?? {}).join(', '),
          email: firstEmail(c.emailAddresses),
        })),
      })
    } catch (err) {
      next(err)
    }
  })

  router.get('/invoices', signedIn, needsLexoffice, async (req, res, next) => {
    try {
      const page = pageParam(req.query.page)
      if (page === undefined) return badRequest(res, 'Bad page number', 'The page number must be a whole number from 0 to 399.')
      const result = await client(req).voucherlist.list({ voucherType: 'invoice', voucherStatus: 'any', page, size: 10 })
      res.render('invoices', {
        title: 'Invoices',
        page: 'invoices',
        pageInfo: result,
        invoices: result.content.map((v) => ({
          id: v.id,
          number: v.voucherNumber ?? '(draft)',
          date: (v.voucherDate ?? '').slice(0, 10),
          contactName: v.contactName ?? '',
          status: v.voucherStatus,
          total: v.totalAmount === undefined ? '' : `${v.totalAmount.toFixed(2)} ${v.currency ?? 'EUR'}`,
        })),
      })
    } catch (err) {
      next(err)
    }
  })

  router.get('/invoices/:id/pdf', signedIn, needsLexoffice, async (req, res, next) => {
    try {
      const id = String(req.params.id)
      if (!/^[0-9a-f-]{36}$/i.test(id)) return badRequest(res, 'Unknown invoice', 'That is not an invoice id.')
      const file = await client(req).invoices.downloadFile(id)
      res.setHeader('content-type', 'application/pdf')
      res.setHeader('content-disposition', `attachment; filename="${(file.filename ?? `invoice-${id}.pdf`).replace(/[^\w.-]/g, '_')}"`)
      res.end(file.data)
    } catch (err) {
      next(err)
    }
  })

  return router
}

/** The `page` query parameter: absent means 0; anything but a number from 0 to 399 is `undefined` (400). */
function pageParam(value: unknown): number | undefined {
  if (value === undefined) return 0
  if (typeof value !== 'string' || !/^\d{1,3}$/.test(value)) return undefined
  const n = Number(value)
  return n <= 399 ? n : undefined
}

function firstEmail(emails: unknown): string {
  if (!emails || typeof emails !== 'object') return ''
  for (const list of Object.values(emails as Record<string, unknown>)) {
    if (Array.isArray(list) && typeof list[0] === 'string') return list[0]
  }
  return ''
}
