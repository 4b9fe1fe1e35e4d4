import { ErrorCodes, isLexofficeError } from '../../lib/errors'
import { storeUnavailable } from '../../lib/failures/storeUnavailable'

describe('storeUnavailable', () => {
  it('is STORE_UNAVAILABLE (503) naming what failed, with a secret-free cause, never nested', () => {
    const raw = Object.assign(new Error('READONLY You cannot write'), { args: ['secret-record'] })
    const err = storeUnavailable('The token store (Redis)', raw)
    expect(isLexofficeError(err, ErrorCodes.STORE_UNAVAILABLE)).toBe(true)
    expect(err.toJSON()).toEqual({
      name: 'LexofficeError',
      code: 'STORE_UNAVAILABLE',
      message: 'The token store (Redis) is unavailable.',
      status: 503,
    })
    expect(err.cause).toMatchObject({ message: 'READONLY You cannot write' })
    expect(err.cause).not.toBe(raw)
    expect(JSON.stringify(err.cause)).not.toContain('secret-record')
    const renamed = storeUnavailable('The webhook dedupe store (Redis)', err)
    expect(renamed.message).toBe('The webhook dedupe store (Redis) is unavailable.')
    expect(renamed.cause).toMatchObject({ message: 'READONLY You cannot write' })
    expect(renamed.cause).not.toHaveProperty('code', 'STORE_UNAVAILABLE')
  })
})
