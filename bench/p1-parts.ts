/**
 * P1 diagnostic: per-call CPU cost of the pieces on the request path of
 * `await req.lexoffice.getAccessToken()` (fresh token, MemoryTokenStore), measured in a loop
 * (sequential awaits, 5 alternating rounds, median), to see where the per-request overhead goes;
 * and the same with the record encrypted at rest, the CPU that encryption adds to every read of
 * an encrypted store (RedisTokenStore adds its round trip on top).
 *
 *   node -r ts-node/register/transpile-only bench/p1-parts.ts [--parts-calls 50000]
 */
import type { IncomingMessage } from 'node:http'
import { resolveTransportSettings } from '../lib/client/LexofficeClientOptions'
import { LexofficeRequestContext } from '../lib/express/LexofficeRequestContext'
import { createSandbox } from '../lib/sandbox/createSandbox'
import { GuardedStore } from '../lib/tokens/records'
import { TokenManager } from '../lib/tokens/TokenManager'
import { MemoryTokenStore } from '../lib/tokens/stores/MemoryTokenStore'
import { connectViaSandbox } from '../test/helpers/connect'
import { benchEncryption } from './lib/encryption'
import { fmt, median, numberArg, printTable } from './lib/util'

async function main(): Promise<void> {
  const calls = Math.round(numberArg('parts-calls', 50_000))
  const sb = await createSandbox({ autoApprove: true })
  const store = new MemoryTokenStore()
  const manager = new TokenManager({ store, oauth: { ...sb.client, ...sb.endpoints } })
  await manager.connect('k', await connectViaSandbox(sb))
  // The same record encrypted at rest: what RedisTokenStore (encrypted by default) does per read
  // besides the Redis round trip: open the AES-256-GCM envelope (once per envelope: TokenCipher
  // remembers the last one per record) and parse a fresh copy.
  const encrypted = new MemoryTokenStore({ encryption: benchEncryption() })
  const encryptedManager = new TokenManager({ store: encrypted, oauth: { ...sb.client, ...sb.endpoints } })
  await encryptedManager.connect('k', await connectViaSandbox(sb))
  await sb.close()
  const guarded = new GuardedStore(store, 5000)
  const transport = resolveTransportSettings({ apiURL: manager.apiURL })
  const req = { user: { id: 'k' } } as unknown as Express.Request & IncomingMessage
  const contextInit = { manager, resolveKey: (r: Express.Request) => (r.user as { id: string }).id, createClient: undefined, transport }
  const pieces: Array<[string, () => Promise<unknown>]> = [
    ['empty async call (loop cost)', async () => undefined],
    ['MemoryTokenStore.get (a copy of the record parsed once per write)', () => store.get('k')],
    ['GuardedStore.get (in-process store: no timeout guard)', () => guarded.get('k')],
    ['MemoryTokenStore.get, record encrypted at rest (opened once per write, parsed per read)', () => encrypted.get('k')],
    ['TokenManager.getAccessToken', () => manager.getAccessToken('k')],
    ['TokenManager.getAccessToken, record encrypted at rest', () => encryptedManager.getAccessToken('k')],
    [
      'new LexofficeRequestContext + getAccessToken (what the route does)',
      () => new LexofficeRequestContext(contextInit, req).getAccessToken(),
    ],
  ]
  const perCall = new Map<string, number[]>(pieces.map(([n]) => [n, []]))
  for (let round = 0; round < 6; round++) {
    for (const [name, fn] of pieces) {
      const cpu0 = process.cpuUsage()
      for (let i = 0; i < calls; i++) await fn()
      const cpu = process.cpuUsage(cpu0)
      if (round > 0) perCall.get(name)!.push(((cpu.user + cpu.system) / calls) * 1000)
    }
  }
  printTable(
    `P1 diagnostic: CPU ns per call (${calls} sequential calls x 5 rounds, median; first round discarded as warm-up)`,
    ['piece', 'ns per call', 'per round'],
    pieces.map(([name]) => [
      name,
      fmt(median(perCall.get(name)!), 0),
      perCall
        .get(name)!
        .map((v) => fmt(v, 0))
        .join(' '),
    ]),
  )
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
