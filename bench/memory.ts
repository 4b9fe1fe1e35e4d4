/**
 * Memory: (a) serialized express-session size with 1, 2, 5 and 6 pending logins of
 * LexofficeStrategy (max 5 kept by default) vs plain passport-oauth2 (one slot); (b) heap and RSS
 * per 100k connections stored through TokenManager.connect into a MemoryTokenStore and read once
 * through getAccessToken, against a plain Map of the same tokens, each in a fresh process.
 * Needs --expose-gc (re-starts itself with it when missing).
 *
 *   node --expose-gc -r ts-node/register/transpile-only bench/memory.ts [--mem-records 100000]
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import session from 'express-session'
import { createSandbox } from '../lib/sandbox/createSandbox'
import type { Sandbox } from '../lib/sandbox/Sandbox'
import { MemoryTokenStore } from '../lib/tokens/stores/MemoryTokenStore'
import { TokenManager } from '../lib/tokens/TokenManager'
import type { LexofficeTokenResponse } from '../lib/oauth/LexofficeOAuthClient'
import { startApp } from './lib/apps'
import { CookieJar, fmt, numberArg, printTable } from './lib/util'

export interface MemoryResult {
  sessionBytes: { strategy: string; pending: number; bytes: number }[]
  bytesPerPendingLogin: number
  heap: HeapReading[]
}

/** Serialized size of the only session in `store` (MemoryStore keeps sessions as JSON strings). */
function onlySessionBytes(store: session.MemoryStore): number {
  const sessions = (store as unknown as { sessions: Record<string, string> }).sessions
  const values = Object.values(sessions)
  if (values.length !== 1) throw new Error(`expected one session, found ${values.length}`)
  return Buffer.byteLength(values[0])
}

async function sessionSizes(sb: Sandbox, strategy: 'lexoffice' | 'oauth2', counts: number[]): Promise<MemoryResult['sessionBytes']> {
  const out: MemoryResult['sessionBytes'] = []
  for (const pending of counts) {
    const store = new session.MemoryStore()
    const app = await startApp({ sandbox: sb, sessionStore: store, strategy, withMiddleware: false })
    try {
      const jar = new CookieJar()
      for (let i = 0; i < pending; i++) {
        const res = await jar.get_(`${app.url}/auth/login`)
        await res.body?.cancel()
        if (res.status !== 302) throw new Error(`login start answered ${res.status}`)
      }
      out.push({ strategy, pending, bytes: onlySessionBytes(store) })
    } finally {
      await app.close()
    }
  }
  return out
}

/** A token endpoint answer as lexoffice gives it (access token of `accessChars` characters). */
function tokenResponse(i: number, accessChars: number): LexofficeTokenResponse {
  return {
    access_token: randomBytes(Math.ceil((accessChars * 3) / 4))
      .toString('base64url')
      .slice(0, accessChars),
    refresh_token: randomBytes(27).toString('base64url').slice(0, 36),
    token_type: 'Bearer',
    expires_in: 3600 + (i % 600),
    scope: 'profile.read contacts.read',
  }
}

type HeapVariant = 'manager' | 'map'

/**
 * One measurement in a fresh process (RSS never shrinks, so variants must not share one):
 * `manager` stores `records` connections through TokenManager.connect into a MemoryTokenStore, then
 * reads each once through getAccessToken; `map` keeps the same tokens in a plain Map.
 */
async function heapChild(variant: HeapVariant, records: number, accessChars: number): Promise<HeapReading> {
  const gc = (globalThis as { gc?: () => void }).gc!
  const settle = (): { heap: number; rss: number } => {
    gc()
    gc()
    const m = process.memoryUsage()
    return { heap: m.heapUsed, rss: m.rss }
  }
  const manager = new TokenManager({ store: new MemoryTokenStore(), oauth: { clientID: 'bench', clientSecret: 'bench-secret' } })
  const map = new Map<string, { accessToken: string; refreshToken: string; expiresAt: number }>()
  // Measured from before the token strings exist: both variants pay for the strings they keep.
  const before = settle()
  const answers = Array.from({ length: records }, (_, i) => tokenResponse(i, accessChars))
  for (let i = 0; i < records; i++) {
    const t = answers[i]
    if (variant === 'map')
      map.set(`user-${i}`, { accessToken: t.access_token, refreshToken: t.refresh_token!, expiresAt: Date.now() + t.expires_in! * 1000 })
    else
      await manager.connect(`user-${i}`, t, {
        organizationId: '7c1b8f0e-3a52-4c1e-9a6f-0d2f3b4c5d6e',
        connectionId: `c0ffee00-0000-4000-8000-${String(i).padStart(12, '0')}`,
      })
  }
  answers.length = 0
  const stored = settle()
  if (variant === 'manager') for (let i = 0; i < records; i++) await manager.getAccessToken(`user-${i}`)
  else for (let i = 0; i < records; i++) if (map.get(`user-${i}`) === undefined) throw new Error('lost')
  const read = settle()
  if (map.size + ((await manager.store.list?.())?.length ?? 0) !== records) throw new Error('lost records')
  return {
    variant,
    tokenChars: accessChars,
    records,
    heapStored: stored.heap - before.heap,
    rssStored: stored.rss - before.rss,
    heapRead: read.heap - before.heap,
    rssRead: read.rss - before.rss,
  }
}

interface HeapReading {
  variant: HeapVariant
  tokenChars: number
  records: number
  heapStored: number
  rssStored: number
  heapRead: number
  rssRead: number
}

async function heapInChild(variant: HeapVariant, records: number, accessChars: number): Promise<HeapReading> {
  const child = fork(__filename, ['--mem-child', `${variant}:${records}:${accessChars}`], {
    execArgv: [...process.execArgv.filter((a) => a !== '--expose-gc'), '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const [message] = (await once(child, 'message')) as [HeapReading]
  await once(child, 'exit')
  return message
}

export async function runMemory(): Promise<MemoryResult> {
  const records = Math.round(numberArg('mem-records', 100_000))
  const sb = await createSandbox({ autoApprove: true })
  let sessionBytes: MemoryResult['sessionBytes']
  try {
    sessionBytes = [...(await sessionSizes(sb, 'lexoffice', [1, 2, 5, 6])), ...(await sessionSizes(sb, 'oauth2', [1, 5]))]
  } finally {
    await sb.close()
  }
  const lex = (n: number): number => sessionBytes.find((s) => s.strategy === 'lexoffice' && s.pending === n)!.bytes
  const o2 = (n: number): number => sessionBytes.find((s) => s.strategy === 'oauth2' && s.pending === n)!.bytes
  const bytesPerPendingLogin = (lex(5) - lex(1)) / 4
  printTable(
    'Memory (a): serialized express-session size (bytes, MemoryStore JSON) after n login starts in one browser session',
    ['strategy', 'n = 1', 'n = 2', 'n = 5', 'n = 6', 'bytes per extra pending login', 'n = 1 vs passport-oauth2 n = 1'],
    [
      [
        'LexofficeStrategy (keeps up to 5)',
        String(lex(1)),
        String(lex(2)),
        String(lex(5)),
        String(lex(6)),
        fmt(bytesPerPendingLogin, 1),
        fmt(lex(1) / o2(1), 2) + ' x',
      ],
      ['passport-oauth2 pkce+state (1 slot)', String(o2(1)), '-', String(o2(5)), '-', fmt((o2(5) - o2(1)) / 4, 1), '1.00 x'],
    ],
  )
  const heap: HeapReading[] = []
  // 64: the sandbox's access tokens; 1024: a long (JWT-sized) token.
  for (const chars of [64, 1024]) for (const variant of ['map', 'manager'] as const) heap.push(await heapInChild(variant, records, chars))
  const mb = (bytes: number): string => fmt((bytes * (100_000 / records)) / 1e6, 1)
  const mapOf = (h: HeapReading): HeapReading => heap.find((m) => m.variant === 'map' && m.tokenChars === h.tokenChars)!
  printTable(
    `Memory (b): ${records} connections through TokenManager.connect + MemoryTokenStore vs a plain Map of the same tokens (each in a fresh process; gc() twice before each reading; MB per 100k connections)`,
    [
      'access token chars',
      'kept in',
      'heap MB stored',
      'RSS MB stored',
      'heap MB after each was read once',
      'RSS MB after read',
      'heap vs Map (after read)',
      'RSS vs Map (after read)',
    ],
    heap.map((h) => [
      `${h.tokenChars}${h.tokenChars === 64 ? ' (sandbox size)' : ''}`,
      h.variant === 'map' ? 'Map<key, { accessToken, refreshToken, expiresAt }>' : 'TokenManager + MemoryTokenStore',
      mb(h.heapStored),
      mb(h.rssStored),
      mb(h.heapRead),
      mb(h.rssRead),
      fmt(h.heapRead / mapOf(h).heapRead, 2) + ' x',
      fmt(h.rssRead / mapOf(h).rssRead, 2) + ' x',
    ]),
  )
  return { sessionBytes, bytesPerPendingLogin, heap }
}

if (require.main === module) {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    // Re-run with --expose-gc (same loader flags as this process).
    const child = fork(__filename, process.argv.slice(2), { execArgv: [...process.execArgv, '--expose-gc'], stdio: 'inherit' })
    void once(child, 'exit').then(([code]) => {
      process.exitCode = (code as number | null) ?? 1
    })
  } else if (process.argv.includes('--mem-child')) {
    const [variant, records, chars] = process.argv[process.argv.indexOf('--mem-child') + 1].split(':')
    void heapChild(variant as HeapVariant, Number(records), Number(chars)).then((reading) => process.send?.(reading))
  } else {
    runMemory().catch((err: unknown) => {
      console.error(err)
      process.exitCode = 1
    })
  }
}
