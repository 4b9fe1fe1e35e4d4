// Polls the JSON list of received webhook events and redraws the table; no inline script (CSP).
;(function () {
  var body = document.getElementById('events')
  if (!body) return
  function cell(text, code) {
    var td = document.createElement('td')
    var el = code ? document.createElement('code') : td
    el.textContent = text
    if (code) td.appendChild(el)
    return td
  }
  function draw(events) {
    var rows = document.createDocumentFragment()
    events.forEach(function (e) {
      var tr = document.createElement('tr')
      tr.appendChild(cell(e.receivedAt, false))
      tr.appendChild(cell(e.eventType, true))
      tr.appendChild(cell(e.resourceId, true))
      tr.appendChild(cell(e.organizationId, true))
      rows.appendChild(tr)
    })
    body.replaceChildren(rows)
  }
  function poll() {
    fetch('/events.json', { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.json() : []
      })
      .then(draw)
      .catch(function () {})
      .finally(function () {
        setTimeout(poll, 1500)
      })
  }
  setTimeout(poll, 1500)
})()
