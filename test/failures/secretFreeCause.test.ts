import { runInNewContext } from 'node:vm'
import { ErrorCodes, LexofficeError } from '../../lib/errors'
import { secretFreeCause } from '../../lib/failures/secretFreeCause'

const SECRET = 'rt-secret-refresh-token-value'

describe('secretFreeCause', () => {
  it('keeps name, code and a one-line, bounded message; nothing else of the error', () => {
    const err = Object.assign(new Error(`ERR wrong number of arguments\nfor 'set' command`), {
      code: 'ERR_REDIS',
      command: { name: 'set', args: ['lexoffice:token:k', SECRET] },
    })
    err.name = 'ReplyError'
    const cause = secretFreeCause(err)!
    expect(cause).toBeInstanceOf(Error)
    expect(cause).not.toBe(err)
    expect({ name: cause.name, code: (cause as { code?: string }).code, message: cause.message }).toEqual({
      name: 'ReplyError',
      code: 'ERR_REDIS',
      message: "ERR wrong number of arguments for 'set' command",
    })
    expect(Object.keys(cause).sort()).toEqual(['code', 'name'])
    expect(JSON.stringify(cause) + String(cause.stack)).not.toContain(SECRET)
    expect(secretFreeCause(new Error('x'.repeat(500)))!.message).toHaveLength(200)
  })

  it("joins the message and code of the error's own cause (undici's fetch failed), without the cause object", () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })
    const outer = new TypeError('fetch failed', { cause: inner })
    const cause = secretFreeCause(outer)!
    expect(cause.message).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:1')
    expect(cause.name).toBe('TypeError')
    expect((cause as { code?: string }).code).toBe('ECONNREFUSED')
    expect(cause.cause).toBeUndefined()
  })

  it("keeps the package's own errors, reads errors of another realm, a thrown string; nothing for other values", () => {
    const own = new LexofficeError(ErrorCodes.TIMEOUT, 'slow')
    expect(secretFreeCause(own)).toBe(own)
    const foreign: unknown = runInNewContext('Object.assign(new Error("boom"), { code: "EPIPE" })')
    expect(foreign instanceof Error).toBe(false)
    expect(secretFreeCause(foreign)).toMatchObject({ message: 'boom', code: 'EPIPE' })
    expect(secretFreeCause('plain text')!.message).toBe('plain text')
    expect(secretFreeCause(undefined)).toBeUndefined()
    expect(secretFreeCause({ token: SECRET })).toBeUndefined()
  })
})
