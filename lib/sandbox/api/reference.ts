import type { ApiRouteDef } from './context'
import { ok } from './http'
import { COUNTRIES, PAYMENT_CONDITIONS, POSTING_CATEGORIES, PRINT_LAYOUTS } from './referenceData'

/**
 * The read-only reference endpoints, each a bare JSON array: `/v1/countries`,
 * `/v1/payment-conditions`, `/v1/posting-categories`, `/v1/print-layouts`. Regular error shape.
 *
 * @internal
 * @packageDocumentation
 */

/** The reference-data routes. @internal */
export const referenceRoutes: ApiRouteDef[] = [
  { method: 'GET', pattern: '/v1/countries', style: 'regular', handler: () => ok(structuredClone([...COUNTRIES])) },
  { method: 'GET', pattern: '/v1/payment-conditions', style: 'regular', handler: () => ok(structuredClone([...PAYMENT_CONDITIONS])) },
  { method: 'GET', pattern: '/v1/posting-categories', style: 'regular', handler: () => ok(structuredClone([...POSTING_CATEGORIES])) },
  { method: 'GET', pattern: '/v1/print-layouts', style: 'regular', handler: () => ok(structuredClone([...PRINT_LAYOUTS])) },
]
