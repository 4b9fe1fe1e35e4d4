/**
 * The secrets scan must be able to fail: a secret planted in a header, a body (raw, URL-encoded,
 * base64) or a log line is found, and named only by its hash.
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SecretScan } from './helpers/secretScan'

describe('the secrets scan of the attack suite', () => {
  const token = randomBytes(48).toString('base64url')
  const key = randomBytes(32)
  let scan: SecretScan
  let http: Server
  let url: string

  beforeEach(async () => {
    scan = new SecretScan().secrets(() => [token], key)
    http = createServer((req, res) => {
      if (req.url === '/header') res.setHeader('x-debug', `token=${token}`)
      if (req.url === '/urlencoded') return void res.end(`next=${encodeURIComponent(`a b ${token}`)}`)
      if (req.url === '/key') return void res.end(JSON.stringify({ key: key.toString('base64') }))
      if (req.url === '/chunks') {
        res.write(token.slice(0, 10))
        return void res.end(token.slice(10))
      }
      res.end('nothing to see')
    })
    scan.watch(http)
    http.listen(0, '127.0.0.1')
    await once(http, 'listening')
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    scan.stop()
    http.closeAllConnections()
    await new Promise((resolve) => http.close(resolve))
  })

  it('finds nothing in clean answers and log lines', async () => {
    scan.captureConsole()
    await fetch(`${url}/clean`)
    console.error('request failed:', { code: 'TOKEN_RESPONSE_INVALID' })
    expect(scan.recorded.map((r) => r.label)).toEqual(['GET /clean -> 200', 'console.error'])
    expect(scan.findLeaks()).toEqual([])
  })

  it.each(['/header', '/urlencoded', '/key', '/chunks'])('finds the secret in the answer to %s', async (path) => {
    await (await fetch(`${url}${path}`)).text()
    const leaks = scan.findLeaks()
    expect(leaks).toHaveLength(1)
    expect(leaks[0]).toContain(`GET ${path} -> 200`)
    expect(leaks[0]).not.toContain(token)
  })

  it('finds the secret in a console line, also inside an inspected object', () => {
    scan.captureConsole()
    console.warn('refresh failed', { cause: { refreshToken: token } })
    expect(scan.findLeaks()).toEqual([expect.stringContaining('in console.warn')])
  })
})
