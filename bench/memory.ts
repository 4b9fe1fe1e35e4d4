/**
 * Memory: (a) serialized express-session size with 1, 2, 5 and 6 pending logins of
 * LexofficeStrategy (max 5 kept by default) vs plain passport-oauth2 (one slot); (b) heap per
 * 100k token records in MemoryTokenStore (global.gc before and after, heapUsed), as a ratio of
 * the records' serialized size. Needs --expose-gc (re-starts itself with it when missing).
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
import type { TokenRecord } from '../lib/tokens/TokenSet'
import { startApp } from './lib/apps'
import { CookieJar, fmt, numberArg, printTable } from './lib/util'

export interface MemoryResult {
  sessionBytes: { strategy: string; pending: number; bytes: number }[]
  bytesPerPendingLogin: number
  heap: {
    tokenChars: number
    records: number
    heapBytesPerRecord: number
    heapBytesPerRecordAfterRead: number
    jsonBytesPerRecord: number
  }[]
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

function record(i: number, accessChars: number): TokenRecord {
  const now = Date.now()
  return {
    version: 1,
    state: 'active',
    tokens: {
      accessToken: randomBytes(Math.ceil((accessChars * 3) / 4))
        .toString('base64url')
        .slice(0, accessChars),
      refreshToken: randomBytes(96).toString('base64url'),
      expiresAt: now + 4 * 3_600_000 + i,
      scope: 'profile.read contacts.read',
      organizationId: '7c1b8f0e-3a52-4c1e-9a6f-0d2f3b4c5d6e',
      connectionId: `c0ffee00-0000-4000-8000-${String(i).padStart(12, '0')}`,
      obtainedAt: now,
    },
    refreshCount: 0,
    connectedAt: now,
  }
}

async function heapPer(records: number, accessChars: number): Promise<MemoryResult['heap'][number]> {
  const gc = (globalThis as { gc?: () => void }).gc!
  const store = new MemoryTokenStore()
  let jsonBytes = 0
  gc()
  gc()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < records; i++) {
    const r = record(i, accessChars)
    jsonBytes += JSON.stringify(r).length
    await store.set(`user-${i}`, r, 0)
  }
  gc()
  gc()
  const after = process.memoryUsage().heapUsed
  // Each record read once: the store keeps the parsed (frozen) record beside its JSON from then on.
  for (let i = 0; i < records; i++) if ((await store.get(`user-${i}`)) === undefined) throw new Error('store lost a record')
  gc()
  gc()
  const afterRead = process.memoryUsage().heapUsed
  // Keep the store alive until after the measurement.
  if ((await store.list()).length !== records) throw new Error('store lost records')
  return {
    tokenChars: accessChars,
    records,
    heapBytesPerRecord: (after - before) / records,
    heapBytesPerRecordAfterRead: (afterRead - before) / records,
    jsonBytesPerRecord: jsonBytes / records,
  }
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
  const heap = [await heapPer(records, 128), await heapPer(records, 1024)]
  printTable(
    `Memory (b): heap per stored token record in MemoryTokenStore (${records} records, heapUsed after - before, gc() twice each side)`,
    [
      'access token chars',
      'records',
      'heap bytes per record',
      'JSON bytes per record',
      'heap / JSON',
      'heap MB per 100k',
      'heap MB per 100k, each read once',
    ],
    heap.map((h) => [
      `${h.tokenChars}${h.tokenChars === 128 ? ' (sandbox size)' : ''}`,
      String(h.records),
      fmt(h.heapBytesPerRecord, 0),
      fmt(h.jsonBytesPerRecord, 0),
      fmt(h.heapBytesPerRecord / h.jsonBytesPerRecord, 2),
      fmt((h.heapBytesPerRecord * 100_000) / 1e6, 1),
      fmt((h.heapBytesPerRecordAfterRead * 100_000) / 1e6, 1),
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
  } else {
    runMemory().catch((err: unknown) => {
      console.error(err)
      process.exitCode = 1
    })
  }
}
