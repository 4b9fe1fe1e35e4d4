/**
 * The Origin check of the package's POST routes (logout, disconnect): same-origin forms pass,
 * cross-site ones are refused, also when the page sends `Origin: null` because of
 * `Referrer-Policy: no-referrer` (helmet's default).
 */
import type { IncomingMessage } from 'node:http'
import { isSameOrigin } from '../../lib/express/isSameOrigin'

const app = 'https://app.example'
const req = (headers: Record<string, string | string[]>): IncomingMessage => ({ headers }) as unknown as IncomingMessage

it.each<[string, Record<string, string | string[]>, boolean]>([
  ['the app origin', { origin: app }, true],
  ['another origin', { origin: 'https://evil.example' }, false],
  ['another origin that claims same-origin', { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }, false],
  ['Origin null from a no-referrer page of the app', { origin: 'null', 'sec-fetch-site': 'same-origin' }, true],
  ['Origin null from a cross-site opaque context', { origin: 'null', 'sec-fetch-site': 'cross-site' }, false],
  ['Origin null from a same-site subdomain', { origin: 'null', 'sec-fetch-site': 'same-site' }, false],
  ['Origin null without Sec-Fetch-Site', { origin: 'null' }, false],
  ['Sec-Fetch-Site none (typed by the user)', { 'sec-fetch-site': 'none' }, true],
  ['only a Referer of the app', { referer: `${app}/settings` }, true],
  ['only a foreign Referer', { referer: 'https://evil.example/x' }, false],
  ['no browser headers (curl, server-side)', {}, true],
  ['two Origin headers', { origin: [app, app] }, false],
])('%s', (_name, headers, allowed) => {
  expect(isSameOrigin(req(headers), app)).toBe(allowed)
})
