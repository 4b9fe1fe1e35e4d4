import { CODE_VERIFIER_PATTERN, computeCodeChallenge, generateCodeVerifier, generateState } from '../../lib/strategy/pkce'

describe('PKCE', () => {
  it('reproduces the RFC 7636 Appendix B vector', () => {
    const octets = Buffer.from([
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
      132, 141, 121,
    ])
    expect(octets.toString('base64url')).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')
    expect(computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  })

  it("reproduces lexoffice's documented vector", () => {
    const verifier =
      'oJdaNUDOIK3xpqlkZ79Sa3dLWst2rF5F8EXQVrqWfzckNOPBC67SzNffeTTb54jSpfuSAnawxLgddxbIqXh4APOrKYqhI8W5fXtIytVSgjLlrnMn0AUB5h2O6VD1sTDJ'
    expect(computeCodeChallenge(verifier)).toBe('9s_XWOy5h9KO8CQCqzRKr3WEntoEJepUZS9d1IYh_uo')
  })

  it('generates 1000 distinct verifiers from the unreserved set, 43-128 characters', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const v = generateCodeVerifier()
      expect(v).toMatch(/^[A-Za-z0-9._~-]{43,128}$/)
      seen.add(v)
    }
    expect(seen.size).toBe(1000)
  })

  it('produces unpadded 43-character challenges', () => {
    const c = computeCodeChallenge(generateCodeVerifier())
    expect(c).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('refuses verifiers outside RFC 7636 §4.1', () => {
    expect(() => computeCodeChallenge('short')).toThrow(TypeError)
    expect(() => computeCodeChallenge('a'.repeat(129))).toThrow(TypeError)
    expect(() => computeCodeChallenge('a'.repeat(42) + '+')).toThrow(TypeError)
    expect(CODE_VERIFIER_PATTERN.test('a'.repeat(43))).toBe(true)
  })

  it('generates states of 256 bits, all distinct', () => {
    const states = new Set(Array.from({ length: 200 }, () => generateState()))
    expect(states.size).toBe(200)
    for (const s of states) expect(Buffer.from(s, 'base64url')).toHaveLength(32)
  })
})
