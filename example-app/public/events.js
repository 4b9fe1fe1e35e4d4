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
  function time(iso) {
    var td = document.createElement('td')
    var el = document.createElement('time')
    el.setAttribute('datetime', iso)
    el.setAttribute('data-format', 'datetime')
    el.textContent = iso
    td.appendChild(el)
    return td
  }
  function draw(events) {
    var rows = document.createDocumentFragment()
    events.forEach(function (e) {
      var tr = document.createElement('tr')
      tr.appendChild(time(e.receivedAt))
      tr.appendChild(cell(e.eventType, true))
      tr.appendChild(cell(e.resourceId, true))
      tr.appendChild(cell(e.organizationId, true))
      rows.appendChild(tr)
    })
    if (events.length === 0) {
      var tr = document.createElement('tr')
      tr.className = 'none'
      var td = cell('None yet. Events appear here when something changes in lexoffice.', false)
      td.colSpan = 4
      td.setAttribute('data-testid', 'events-none')
      tr.appendChild(td)
      rows.appendChild(tr)
    }
    body.replaceChildren(rows)
    if (window.exampleRenderTimes) window.exampleRenderTimes()
  }
  function poll() {
    fetch('/events.json', { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status))
        return r.json()
      })
      .then(draw)
      .catch(function () {})
      .finally(function () {
        setTimeout(poll, 1500)
      })
  }
  setTimeout(poll, 1500)
})()
