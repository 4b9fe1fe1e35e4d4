import type { SandboxState } from '../SandboxState'
import type { SandboxRoute } from '../types'
import { profileRoutes } from './profile'
import { resourceRoutes } from './routes'

/**
 * Every lexoffice API route the sandbox serves (under `sandbox.endpoints.apiURL`). To add a
 * resource, write `lib/sandbox/api/<resource>.ts` exporting a `SandboxRoute<SandboxState>[]`
 * (use `requireAuth` from `../auth`) and spread it in here. See `lib/sandbox/README.md`.
 *
 * @internal
 */
export const apiRoutes: SandboxRoute<SandboxState>[] = [...profileRoutes, ...resourceRoutes]
