import type { SandboxState } from '../SandboxState'
import type { SandboxRoute } from '../types'
import { resourceRoutes } from './routes'

/**
 * Every lexoffice API route the sandbox serves (under `sandbox.endpoints.apiURL`). To add a
 * resource, write `lib/sandbox/api/<resource>.ts` exporting `ApiRouteDef`s, give each route its
 * scope rule in `scopes.ts` and list the module in `resourceRouteDefs` (`routes.ts`). See
 * `lib/sandbox/README.md`.
 *
 * @internal
 */
export const apiRoutes: SandboxRoute<SandboxState>[] = [...resourceRoutes]
