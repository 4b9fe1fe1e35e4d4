import { createPublicKey, generateKeyPair, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import { signLexofficePayload } from '../../webhooks/signLexofficePayload'
import type { ApiStore, EventSubscription } from '../api/store'
import type { ResolvedSandboxWebhookOptions } from './options'
import { postWebhook, type PendingPost, type PostOutcome } from './post'

/**
 * The sandbox's webhook delivery: signs each event with the sandbox's own RSA key and POSTs it
 * to every matching subscription, with lexoffice's status rules and retry schedule
 * (docs/lexoffice.md §6). Asynchronous: nothing here ever blocks or fails an API answer.
 *
 * @packageDocumentation
 */

/** The payload lexoffice POSTs to a callback URL (serialised compactly, in this key order). */
export interface SandboxWebhookPayload {
  organizationId: string
  eventType: string
  resourceId: string
  eventDate: string
}

/**
 * How one delivery attempt ended.
 *
 * - `delivered`: the receiver answered 200, 201, 202 or 204.
 * - `retry`: 401, 403, 404, 429, 5xx, timeout or network failure; another attempt is scheduled.
 * - `gave_up`: as `retry`, but the schedule is used up; the subscription stays.
 * - `subscription_deleted`: 404 (or a DNS failure) and the schedule is used up: the subscription was deleted.
 * - `subscription_removed`: 410: the subscription was deleted at once, no retry.
 * - `failed`: any other answer (other 4xx, other 2xx, 3xx without a usable `Location`, more than
 *   3 redirects): not retried.
 * - `cancelled`: the subscription was deleted before this attempt; nothing was sent.
 *
 * @example
 * ```ts
 * const outcomes: SandboxWebhookOutcome[] = sandbox.webhookDeliveries.map((d) => d.outcome)
 * ```
 */
export type SandboxWebhookOutcome =
  'delivered' | 'retry' | 'gave_up' | 'subscription_deleted' | 'subscription_removed' | 'failed' | 'cancelled'

/**
 * One delivery attempt in the log (`sandbox.webhookDeliveries`). Holds no secret: no signature,
 * no header, and the callback URL without its query string.
 *
 * @example
 * ```ts
 * expect(sandbox.webhookDeliveries.map((d) => [d.eventType, d.attempt, d.status, d.outcome])).toEqual([
 *   ['contact.changed', 1, 503, 'retry'],
 *   ['contact.changed', 2, 204, 'delivered'],
 * ])
 * ```
 */
export interface SandboxWebhookLogEntry {
  /** Same for every attempt of one event to one subscription. */
  deliveryId: string
  subscriptionId: string
  organizationId: string
  eventType: string
  resourceId: string
  eventDate: string
  /** The subscription's callback URL without query string. */
  callbackUrl: string
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number
  /** The receiver's final HTTP status (after redirects); `undefined` when there was none. */
  status: number | undefined
  /** Why there was no usable status. */
  error: 'timeout' | 'network_error' | 'dns_failure' | 'too_many_redirects' | 'aborted' | 'signing_failed' | undefined
  outcome: SandboxWebhookOutcome
  /** Delay before the next attempt (outcome `retry`). */
  nextAttemptInMs: number | undefined
  /** Sandbox clock (ms since the epoch) when the attempt ended. */
  at: number
  /** Wall-clock duration of the attempt. */
  durationMs: number
}

interface Job {
  deliveryId: string
  subscription: EventSubscription
  /** Not in the store any more (token.revoked of a revoked connection): no existence check, nothing to delete. */
  detached: boolean
  body: Buffer
  payload: SandboxWebhookPayload
  /** Attempts made so far. */
  attempts: number
  timer: NodeJS.Timeout | undefined
  post: PendingPost | undefined
}

interface KeyPair {
  privateKey: KeyObject
  publicKeyPem: string
}

const MAX_LOG_ENTRIES = 10_000

function isSuccess(status: number): boolean {
  return status === 200 || status === 201 || status === 202 || status === 204
}

function isRetryable(status: number): boolean {
  return status === 401 || status === 403 || status === 429 || status >= 500
}

function withoutQuery(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

/**
 * Webhook delivery for one sandbox (`sandbox.webhookPublicKey`, `sandbox.webhookDeliveries`,
 * `sandbox.webhooksIdle()` delegate here).
 *
 * @internal
 */
export class SandboxWebhooks {
  readonly #options: ResolvedSandboxWebhookOptions
  readonly #store: ApiStore
  readonly #now: () => number
  readonly #jobs = new Set<Job>()
  readonly #log: SandboxWebhookLogEntry[] = []
  #idleWaiters: Array<() => void> = []
  #keys: KeyPair | undefined
  #keysPending: Promise<KeyPair> | undefined
  #closed = false

  constructor(options: ResolvedSandboxWebhookOptions, store: ApiStore, now: () => number) {
    this.#options = options
    this.#store = store
    this.#now = now
    if (options.privateKey) this.#keys = keyPairOf(options.privateKey)
  }

  /** The public key (SPKI PEM) that verifies this sandbox's webhooks; generates the key pair on first use. */
  get publicKeyPem(): string {
    this.#keys ??= keyPairOf(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)
    return this.#keys.publicKeyPem
  }

  /** Copies of the log entries, oldest first. */
  log(): SandboxWebhookLogEntry[] {
    return this.#log.map((e) => ({ ...e }))
  }

  /** Empties the log. */
  resetLog(): void {
    this.#log.length = 0
  }

  /** Deliveries scheduled or in flight. */
  get pending(): number {
    return this.#jobs.size
  }

  /** Resolves when no delivery is scheduled or in flight (at once after `close()`). */
  idle(): Promise<void> {
    if (this.#jobs.size === 0 || this.#closed) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /**
   * Queues one event for each subscription (a snapshot is taken now). Returns at once; the first
   * attempt starts on a later turn of the event loop. Never throws.
   *
   * @param detached - the subscriptions are no longer stored (captured before their removal).
   */
  deliver(payload: SandboxWebhookPayload, subscriptions: readonly EventSubscription[], detached = false): void {
    if (this.#closed || !this.#options.enabled || subscriptions.length === 0) return
    // lexoffice signs the JSON "without whitespaces and linebreaks"; key order as documented.
    const body = Buffer.from(
      JSON.stringify({
        organizationId: payload.organizationId,
        eventType: payload.eventType,
        resourceId: payload.resourceId,
        eventDate: payload.eventDate,
      }),
      'utf8',
    )
    for (const subscription of subscriptions) {
      const job: Job = {
        deliveryId: randomUUID(),
        subscription: { ...subscription },
        detached,
        body,
        payload: { ...payload },
        attempts: 0,
        timer: undefined,
        post: undefined,
      }
      this.#jobs.add(job)
      this.#schedule(job, 0)
    }
  }

  /** Stops everything: clears retry timers, aborts requests in flight, releases `idle()` waiters. */
  close(): void {
    this.#closed = true
    for (const job of this.#jobs) {
      if (job.timer) clearTimeout(job.timer)
      job.post?.abort()
    }
    this.#jobs.clear()
    this.#releaseIdle()
  }

  #schedule(job: Job, delayMs: number): void {
    job.timer = setTimeout(() => {
      job.timer = undefined
      this.#attempt(job).catch(() => this.#finish(job))
    }, delayMs)
    job.timer.unref()
  }

  async #attempt(job: Job): Promise<void> {
    if (this.#closed) return
    job.attempts++
    const started = Date.now()
    if (!job.detached && this.#store.subscription(job.subscription.subscriptionId) === undefined) {
      this.#record(job, started, { status: undefined, error: undefined, outcome: 'cancelled', nextAttemptInMs: undefined })
      this.#finish(job)
      return
    }
    let signature: string
    try {
      signature = signLexofficePayload(job.body, await this.#signingKey())
    } catch {
      this.#record(job, started, { status: undefined, error: 'signing_failed', outcome: 'failed', nextAttemptInMs: undefined })
      this.#finish(job)
      return
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may have run during the await
    if (this.#closed) return
    job.post = postWebhook(job.subscription.callbackUrl, job.body, signature, this.#options.timeoutMs)
    const result: PostOutcome = await job.post.done
    job.post = undefined
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may have run during the await
    if (this.#closed) return
    this.#settle(job, started, result)
  }

  #settle(job: Job, started: number, result: PostOutcome): void {
    const status = result.status
    const error = result.error
    if (status !== undefined && isSuccess(status)) {
      this.#record(job, started, { status, error, outcome: 'delivered', nextAttemptInMs: undefined })
      this.#finish(job)
      return
    }
    if (status === 410) {
      this.#deleteSubscription(job)
      this.#record(job, started, { status, error, outcome: 'subscription_removed', nextAttemptInMs: undefined })
      this.#finish(job)
      return
    }
    const gone = status === 404 || error === 'dns_failure'
    const retryable = gone || (status !== undefined ? isRetryable(status) : error === 'timeout' || error === 'network_error')
    if (!retryable) {
      this.#record(job, started, { status, error, outcome: 'failed', nextAttemptInMs: undefined })
      this.#finish(job)
      return
    }
    const delay = this.#options.retryDelaysMs.at(job.attempts - 1)
    if (delay !== undefined) {
      this.#record(job, started, { status, error, outcome: 'retry', nextAttemptInMs: delay })
      this.#schedule(job, delay)
      return
    }
    if (gone) this.#deleteSubscription(job)
    this.#record(job, started, { status, error, outcome: gone ? 'subscription_deleted' : 'gave_up', nextAttemptInMs: undefined })
    this.#finish(job)
  }

  #deleteSubscription(job: Job): void {
    if (!job.detached) this.#store.deleteSubscription(job.subscription.subscriptionId)
  }

  #record(job: Job, started: number, result: Pick<SandboxWebhookLogEntry, 'status' | 'error' | 'outcome' | 'nextAttemptInMs'>): void {
    if (this.#log.length >= MAX_LOG_ENTRIES) this.#log.shift()
    this.#log.push({
      deliveryId: job.deliveryId,
      subscriptionId: job.subscription.subscriptionId,
      organizationId: job.payload.organizationId,
      eventType: job.payload.eventType,
      resourceId: job.payload.resourceId,
      eventDate: job.payload.eventDate,
      callbackUrl: withoutQuery(job.subscription.callbackUrl),
      attempt: job.attempts,
      ...result,
      at: this.#now(),
      durationMs: Date.now() - started,
    })
  }

  #finish(job: Job): void {
    if (job.timer) clearTimeout(job.timer)
    this.#jobs.delete(job)
    if (this.#jobs.size === 0) this.#releaseIdle()
  }

  #releaseIdle(): void {
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  /** The signing key; generated off the event loop the first time it is needed. */
  #signingKey(): Promise<KeyObject> {
    if (this.#keys) return Promise.resolve(this.#keys.privateKey)
    this.#keysPending ??= new Promise<KeyPair>((resolve, reject) => {
      generateKeyPair('rsa', { modulusLength: 2048 }, (err, _publicKey, privateKey) => {
        if (err) reject(err)
        else resolve(keyPairOf(privateKey))
      })
    })
    // If the public key was read (and so generated synchronously) meanwhile, that pair wins.
    return this.#keysPending.then((generated) => (this.#keys ??= generated).privateKey)
  }
}

function keyPairOf(privateKey: KeyObject): KeyPair {
  return { privateKey, publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() }
}
