import express from 'express'
import request from 'supertest'
import { lexofficeRawBody, lexofficeWebhooks } from '../../lib/webhooks'
import { TEST_PUBLIC_KEY, VECTOR_INVOICE_CREATED } from './fixtures/testKeys'
import { webhookSuite } from './webhookSuite'

webhookSuite('Express 5', express)

describe('lexofficeWebhooks with the real Express 5 types', () => {
  it('mounts with app.use and express.json({ verify }) without casts', async () => {
    const seen: string[] = []
    const app = express()
    app.use(express.json({ verify: lexofficeRawBody() }))
    // The signed vector is dated 2023-04-11: the handler's clock says so, too.
    const now = (): number => Date.parse('2023-04-11T12:31:00.000+02:00')
    app.use('/hooks/lexoffice', lexofficeWebhooks({ publicKey: TEST_PUBLIC_KEY, now, onEvent: (event) => void seen.push(event.eventType) }))
    await request(app)
      .post('/hooks/lexoffice')
      .set('Content-Type', 'application/json')
      .set('X-Lxo-Signature', VECTOR_INVOICE_CREATED.signature)
      .send(VECTOR_INVOICE_CREATED.body)
      .expect(204)
  })

  it('rejects bad options at start-up with a TypeError naming the option', () => {
    const onEvent = (): void => undefined
    expect(() => lexofficeWebhooks({ publicKey: 'not a key', onEvent })).toThrow(/"publicKey" must be an RSA public key/)
    expect(() => lexofficeWebhooks({ publicKey: TEST_PUBLIC_KEY, onEvent: undefined as unknown as () => void })).toThrow(
      /"onEvent" must be a function/,
    )
    expect(() => lexofficeWebhooks({ publicKey: TEST_PUBLIC_KEY, onEvent, maxBodyBytes: 10 })).toThrow(/"maxBodyBytes" must be between/)
    expect(() => lexofficeWebhooks({ publicKey: TEST_PUBLIC_KEY, onEvent, onEvnet: onEvent } as never)).toThrow(
      /unknown lexofficeWebhooks option "onEvnet"/,
    )
    expect(() => lexofficeWebhooks({ onEvent })).not.toThrow() // the bundled lexoffice key
  })
})
