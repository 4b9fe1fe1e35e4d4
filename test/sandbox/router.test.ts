import { formatLexofficeDate, escapeHtml } from '../../lib/sandbox/http'
import { SandboxRouter } from '../../lib/sandbox/router'
import type { SandboxHandler } from '../../lib/sandbox/types'

describe('sandbox: router', () => {
  const a: SandboxHandler<null> = () => ({ status: 200 })
  const b: SandboxHandler<null> = () => ({ status: 201 })
  const router = new SandboxRouter<null>([
    { method: 'GET', pattern: '/v1/contacts', handler: a },
    { method: 'GET', pattern: '/v1/contacts/:id', handler: b },
    { method: 'PUT', pattern: '/v1/contacts/:id', handler: a },
  ])

  it('matches static and parameter routes, decoding parameters', () => {
    expect(router.match('GET', '/v1/contacts')).toEqual({ kind: 'found', handler: a, params: {} })
    const m = router.match('GET', '/v1/contacts/a%20b')
    expect(m.kind === 'found' && m.handler === b && { ...m.params }).toEqual({ id: 'a b' })
  })

  it('answers method mismatches with the allowed methods', () => {
    expect(router.match('DELETE', '/v1/contacts/1')).toEqual({ kind: 'method', allow: ['GET', 'PUT'] })
  })

  it('does not match empty parameters, extra segments or trailing slashes', () => {
    expect(router.match('GET', '/v1/contacts/').kind).toBe('none')
    expect(router.match('GET', '/v1/contacts/1/2').kind).toBe('none')
    expect(router.match('GET', '/v1/contact').kind).toBe('none')
  })

  it('reports bad percent-encoding in a parameter instead of throwing', () => {
    expect(router.match('GET', '/v1/contacts/%E0%A4%A')).toEqual({ kind: 'bad-path' })
  })

  it('stores parameters on a prototype-free object (a `__proto__` parameter is plain data)', () => {
    const r = new SandboxRouter<null>([{ method: 'GET', pattern: '/x/:__proto__', handler: a }])
    const m = r.match('GET', '/x/1')
    if (m.kind !== 'found') throw new Error('no match')
    expect(Object.keys(m.params)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(m.params)).toBeNull()
  })

  it('refuses patterns without a leading slash', () => {
    expect(() => new SandboxRouter<null>([{ method: 'GET', pattern: 'v1', handler: a }])).toThrow(TypeError)
  })
})

describe('sandbox: http helpers', () => {
  it('formats dates as lexoffice does, in Berlin time', () => {
    expect(formatLexofficeDate(Date.UTC(2024, 0, 3, 12, 15, 45))).toBe('2024-01-03T13:15:45.000+01:00')
    expect(formatLexofficeDate(Date.UTC(2024, 6, 3, 12, 15, 45, 7))).toBe('2024-07-03T14:15:45.007+02:00')
  })

  it('escapes HTML special characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).not.toMatch(/[<>"'&](?!#\d+;)/)
    expect(escapeHtml('plain text 123')).toBe('plain text 123')
  })
})
