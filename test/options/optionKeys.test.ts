import { assertKnownKeys } from '../../lib/options/assert'
import { optionKeys } from '../../lib/options/optionKeys'

interface Sample {
  client: object
  prefix?: string
  timeoutMs?: number
}

describe('optionKeys', () => {
  it('lists every key of the option set, and assertKnownKeys refuses any other key', () => {
    const keys = optionKeys<Sample>()(['client', 'prefix', 'timeoutMs'])
    expect(keys).toEqual(['client', 'prefix', 'timeoutMs'])
    expect(() => assertKnownKeys({ client: {}, prefix: 'p' }, keys, 'Sample')).not.toThrow()
    expect(() => assertKnownKeys({ client: {}, prefx: 'p' }, keys, 'Sample')).toThrow('unknown Sample option "prefx"')
    expect(() => assertKnownKeys({ prefx: 'p' }, keys, 'Sample')).toThrow(TypeError)
  })

  it('does not compile when the list and the interface disagree (the directives fail npm run typecheck otherwise)', () => {
    // @ts-expect-error 'timeoutMs' is an option of Sample but not listed
    const tooFew = optionKeys<Sample>()(['client', 'prefix'])
    // @ts-expect-error 'retries' is listed but not an option of Sample
    const tooMany = optionKeys<Sample>()(['client', 'prefix', 'timeoutMs', 'retries'])
    expect([tooFew.length, tooMany.length]).toEqual([2, 4])
  })
})
