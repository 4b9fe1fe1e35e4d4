import { isLexofficeEventType, LEXOFFICE_EVENT_TYPES, type LexofficeEvent } from '../../lib/webhooks/events'
import { parseLexofficeEvent } from '../../lib/webhooks/parseLexofficeEvent'
import { errorWith } from '../helpers/errorWith'

const base = {
  organizationId: 'aa93e8a8-2aa3-470b-b914-caad8a255dd8',
  eventType: 'invoice.created',
  resourceId: '4d43ad14-2c4d-4b2a-a8a3-1b4c5d6e7f80',
  eventDate: '2023-04-11T12:30:00.000+02:00',
}

describe('LEXOFFICE_EVENT_TYPES', () => {
  it('lists the 42 documented types once each, including the asymmetric ones', () => {
    expect(new Set(LEXOFFICE_EVENT_TYPES).size).toBe(LEXOFFICE_EVENT_TYPES.length)
    expect(LEXOFFICE_EVENT_TYPES).toHaveLength(42)
    for (const t of ['payment.changed', 'token.revoked', 'delivery-note.status.changed', 'article.deleted', 'recurring-template.created']) {
      expect(isLexofficeEventType(t)).toBe(true)
    }
    expect(isLexofficeEventType('dunning.status.changed')).toBe(false)
    expect(isLexofficeEventType('payment.created')).toBe(false)
  })
})

describe('parseLexofficeEvent', () => {
  it('returns a known event from JSON text, bytes or a parsed object, with only the four fields', () => {
    const expected = { ...base, known: true }
    expect(parseLexofficeEvent(JSON.stringify(base))).toEqual(expected)
    expect(parseLexofficeEvent(Buffer.from(JSON.stringify(base)))).toEqual(expected)
    expect(parseLexofficeEvent({ ...base, somethingNew: 1 })).toEqual(expected)
  })

  it('passes every documented type as known', () => {
    for (const eventType of LEXOFFICE_EVENT_TYPES) expect(parseLexofficeEvent({ ...base, eventType }).known).toBe(true)
  })

  it('passes a well-formed unknown type through as known: false (new lexoffice types never break apps)', () => {
    const event: LexofficeEvent = parseLexofficeEvent({ ...base, eventType: 'project.status.changed' })
    expect(event).toEqual({ ...base, eventType: 'project.status.changed', known: false })
  })

  it('narrows eventType once known is checked', () => {
    const event = parseLexofficeEvent({ ...base, eventType: 'token.revoked' })
    let connectionId: string | undefined
    if (event.known && event.eventType === 'token.revoked') connectionId = event.resourceId
    expect(connectionId).toBe(base.resourceId)
  })

  it.each(['2023-04-11T12:30:00Z', '2023-04-11T12:30:00.123456+0200', '2024-02-29T00:00:00-05:00'])('accepts the date %s', (eventDate) => {
    expect(parseLexofficeEvent({ ...base, eventDate }).eventDate).toBe(eventDate)
  })

  it.each<[string, unknown]>([
    ['not JSON', '{"organizationId":'],
    ['JSON null', 'null'],
    ['a JSON array', JSON.stringify([base])],
    ['a JSON string', JSON.stringify('invoice.created')],
    ['no organizationId', { ...base, organizationId: undefined }],
    ['organizationId not a uuid', { ...base, organizationId: 'org-1' }],
    ['organizationId a number', { ...base, organizationId: 7 }],
    ['no resourceId', { ...base, resourceId: undefined }],
    ['resourceId with extra text', { ...base, resourceId: `${base.resourceId}x` }],
    ['no eventType', { ...base, eventType: undefined }],
    ['eventType without a dot', { ...base, eventType: 'invoice' }],
    ['eventType upper case', { ...base, eventType: 'Invoice.Created' }],
    ['eventType with spaces', { ...base, eventType: 'invoice. created' }],
    ['eventType too long', { ...base, eventType: `a.${'b'.repeat(120)}` }],
    ['no eventDate', { ...base, eventDate: undefined }],
    ['eventDate without zone', { ...base, eventDate: '2023-04-11T12:30:00.000' }],
    ['eventDate only a date', { ...base, eventDate: '2023-04-11' }],
    ['eventDate impossible', { ...base, eventDate: '2023-13-45T12:30:00Z' }],
    ['eventDate a number', { ...base, eventDate: 1681209000000 }],
  ])('rejects %s with WEBHOOK_PAYLOAD_INVALID (400)', (_name, input) => {
    expect(() => parseLexofficeEvent(input)).toThrow(errorWith({ code: 'WEBHOOK_PAYLOAD_INVALID', status: 400 }))
  })
})
