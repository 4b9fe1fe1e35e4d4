import { UsageError, parseCommandLine, parseDuration, redactURL } from '../../lib/cli/args'
import { encryptionFromEnv, oauthFromEnv } from '../../lib/cli/env'
import { formatDuration, formatExpiry, formatStatusTable, printable } from '../../lib/cli/format'

const REDIS = 'redis://127.0.0.1:6379'
/** The parser only checks that the keys are there; main() parses them. */
const KEYS = { LEXOFFICE_ENCRYPTION_KEYS: 'k1:not-parsed-here' }

describe('parseCommandLine', () => {
  it('parses refresh with defaults', () => {
    expect(parseCommandLine(['refresh', '--redis', REDIS], KEYS)).toEqual({
      command: 'refresh',
      redisURL: REDIS,
      prefix: 'lexoffice:',
      windowMs: 15 * 60_000,
      concurrency: 4,
      json: false,
      progress: false,
      plaintext: false,
    })
  })

  it('parses every refresh option', () => {
    const args = ['refresh', '--redis', REDIS, '--prefix', 'app:lx:', '--window', '90s', '--concurrency', '8', '--json', '--progress']
    expect(parseCommandLine(args, KEYS)).toEqual({
      command: 'refresh',
      redisURL: REDIS,
      prefix: 'app:lx:',
      windowMs: 90_000,
      concurrency: 8,
      json: true,
      progress: true,
      plaintext: false,
    })
  })

  it('takes the Redis URL from REDIS_URL (so a password need not be in argv)', () => {
    expect(parseCommandLine(['status'], { ...KEYS, REDIS_URL: 'redis://:pw@127.0.0.1:6379' })).toEqual({
      command: 'status',
      redisURL: 'redis://:pw@127.0.0.1:6379',
      prefix: 'lexoffice:',
      json: false,
      plaintext: false,
    })
  })

  it('needs LEXOFFICE_ENCRYPTION_KEYS, or --plaintext for a store written with encryption: false (not both)', () => {
    expect(() => parseCommandLine(['status', '--redis', REDIS], {})).toThrow(/LEXOFFICE_ENCRYPTION_KEYS must be set .* --plaintext/)
    expect(parseCommandLine(['status', '--redis', REDIS, '--plaintext'], {})).toMatchObject({ plaintext: true })
    expect(() => parseCommandLine(['status', '--redis', REDIS, '--plaintext'], KEYS)).toThrow(/exclude each other/)
  })

  it('answers help and version', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ command: 'help' })
    expect(parseCommandLine(['help'], {})).toEqual({ command: 'help' })
    expect(parseCommandLine(['refresh', '-h'], {})).toEqual({ command: 'help' })
    expect(parseCommandLine(['-v'], {})).toEqual({ command: 'version' })
  })

  it.each([
    [[], /a command is required/],
    [['purge', '--redis', REDIS], /unknown command "purge"/],
    [['refresh', 'extra', '--redis', REDIS], /unexpected argument/],
    [['refresh'], /--redis <url> \(or REDIS_URL\) is required/],
    [['refresh', '--redis', 'http://127.0.0.1:6379'], /redis:\/\/ or rediss:\/\//],
    [['refresh', '--redis', 'not a url'], /redis:\/\/ or rediss:\/\//],
    [['refresh', '--redis', REDIS, '--window', '15 minutes'], /--window must be a duration/],
    [['refresh', '--redis', REDIS, '--window', '3h'], /at most 2h/],
    [['refresh', '--redis', REDIS, '--concurrency', '0'], /--concurrency/],
    [['refresh', '--redis', REDIS, '--concurrency', '2.5'], /--concurrency/],
    [['refresh', '--redis', REDIS, '--client-secret', 'x'], /Unknown option '--client-secret'/],
    [['status', '--redis', REDIS, '--window', '5m'], /--window applies to refresh/],
    [['refresh', '--redis'], /argument missing/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCommandLine(argv, KEYS)).toThrow(UsageError)
    expect(() => parseCommandLine(argv, KEYS)).toThrow(message)
  })
})

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['90', 90_000],
    ['15m', 900_000],
    ['1.5h', 5_400_000],
  ])('%s -> %d ms', (text, ms) => expect(parseDuration(text, '--window')).toBe(ms))
  it('rejects zero and nonsense', () => {
    expect(() => parseDuration('0s', '--window')).toThrow(UsageError)
    expect(() => parseDuration('-5m', '--window')).toThrow(UsageError)
    expect(() => parseDuration('5d', '--window')).toThrow(UsageError)
  })
})

describe('environment', () => {
  it('reads client credentials and endpoint overrides from the environment only', () => {
    expect(
      oauthFromEnv({
        LEXOFFICE_CLIENT_ID: 'id',
        LEXOFFICE_CLIENT_SECRET: 'secret',
        LEXOFFICE_ENV: 'sandbox',
        LEXOFFICE_TOKEN_URL: 'http://127.0.0.1:1/oauth2/token',
      }),
    ).toEqual({ clientID: 'id', clientSecret: 'secret', environment: 'sandbox', tokenURL: 'http://127.0.0.1:1/oauth2/token' })
  })

  it('names the missing variables, never a value', () => {
    expect(() => oauthFromEnv({ LEXOFFICE_CLIENT_ID: 'id' })).toThrow(/LEXOFFICE_CLIENT_ID and LEXOFFICE_CLIENT_SECRET/)
    let message = ''
    try {
      oauthFromEnv({ LEXOFFICE_CLIENT_ID: 'id', LEXOFFICE_CLIENT_SECRET: 'very-secret', LEXOFFICE_ENV: 'staging' })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(/LEXOFFICE_ENV must be/)
    expect(message).not.toContain('very-secret')
    expect(() =>
      oauthFromEnv({ LEXOFFICE_CLIENT_ID: 'id', LEXOFFICE_CLIENT_SECRET: 's', LEXOFFICE_TOKEN_URL: 'http://example.com/t' }),
    ).toThrow(/LEXOFFICE_TOKEN_URL and LEXOFFICE_REVOKE_URL must be https URLs/)
  })

  it('parses LEXOFFICE_ENCRYPTION_KEYS, the first key being current', () => {
    expect(encryptionFromEnv({})).toBeUndefined()
    const k1 = Buffer.alloc(32, 1).toString('base64')
    const k2 = Buffer.alloc(32, 2).toString('base64')
    const cipher = encryptionFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: `k2:${k2}, k1:${k1}` })!
    expect(cipher.currentKeyId).toBe('k2')
    const sealedWithK1 = encryptionFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: `k1:${k1}` })!.encrypt('{"x":1}', 'user-1')
    expect(cipher.decrypt(sealedWithK1, 'user-1')).toBe('{"x":1}') // older keys stay readable
    expect(() => encryptionFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: k1 })).toThrow(UsageError)
    expect(() => encryptionFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: 'k1:' })).toThrow(UsageError)
    let message = ''
    try {
      encryptionFromEnv({ LEXOFFICE_ENCRYPTION_KEYS: 'k1:c2hvcnQta2V5LXNlY3JldA' })
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toMatch(/LEXOFFICE_ENCRYPTION_KEYS is invalid: .*32 bytes/)
    expect(message).not.toContain('c2hvcnQta2V5LXNlY3JldA')
  })
})

describe('formatting', () => {
  it('formats durations and expiries', () => {
    expect(formatDuration(900)).toBe('900ms')
    expect(formatDuration(45_000)).toBe('45s')
    expect(formatDuration(14 * 60_000 + 3000)).toBe('14m 3s')
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2h 5m')
    expect(formatDuration(26 * 3600_000)).toBe('1d 2h')
    expect(formatExpiry(90_000)).toBe('in 1m 30s')
    expect(formatExpiry(-90_000)).toBe('expired 1m 30s ago')
  })

  it('neutralises control characters in keys', () => {
    expect(printable('user\u001b[2J\r\n Müller')).toBe('user\\u001b[2J\\r\\n Müller')
  })

  it('renders the status table', () => {
    const now = 1_800_000_000_000
    const table = formatStatusTable(
      [
        {
          key: 'a',
          state: 'active',
          expiresAt: now + 3600_000,
          expiresInMs: 3600_000,
          refreshCount: 2,
          connectedAt: 0,
          lastRefreshAt: now - 60_000,
        },
        {
          key: 'bb',
          state: 'lost',
          lostReason: 'invalid_grant',
          lostAt: now,
          refreshCount: 5,
          connectedAt: 0,
          lastError: { code: 'INVALID_GRANT', at: now - 1000 },
        },
      ],
      now,
    )
    expect(table.split('\n')).toEqual([
      'KEY  STATE                 EXPIRES   LAST REFRESH  REFRESHES  LAST ERROR',
      'a    active                in 1h 0m  1m 0s ago     2          -',
      'bb   lost (invalid_grant)  -         -             5          INVALID_GRANT (1s ago)',
      '',
      '2 connections: 1 active, 1 lost',
      '',
    ])
    expect(formatStatusTable([], now)).toBe('No lexoffice connections stored.\n')
  })

  it('redacts credentials from Redis URLs', () => {
    expect(redactURL('redis://user:p4ss@127.0.0.1:6379/2')).toBe('redis://127.0.0.1:6379/2')
  })
})
