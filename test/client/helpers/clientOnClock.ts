/**
 * A LexofficeClient whose transport times its token reads on a test's clock (the internal
 * `TransportSettings.now` seam). A test whose limiter runs on a schedule clock needs it: with the
 * default real clock, a token read that a busy machine stalls for more than 100 ms counts as late
 * and books another slot, an extra wait the schedule did not ask for.
 */
import { ApiTransport } from '../../../lib/client/ApiTransport'
import { type LexofficeClient, lexofficeClientOn } from '../../../lib/client/LexofficeClient'
import { type LexofficeClientOptions, resolveClientOptions } from '../../../lib/client/LexofficeClientOptions'

export function clientOnClock(options: LexofficeClientOptions, clock: { now: () => number }): LexofficeClient {
  const resolved = resolveClientOptions(options)
  return lexofficeClientOn(new ApiTransport({ ...resolved, now: clock.now }, resolved))
}
