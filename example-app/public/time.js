// Shows every <time data-format> in the browser's language and time zone, and keeps relative
// times ("in 4 hours") current. No inline script (CSP); same rules as src/time.ts.
;(function () {
  var lang = navigator.language || 'en'
  var absolute = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' })
  var date = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' })
  var rel = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })
  function relative(deltaMs) {
    var s = Math.round(deltaMs / 1000)
    var abs = Math.abs(s)
    if (abs < 60) return rel.format(s, 'second')
    if (abs < 3600) return rel.format(Math.round(s / 60), 'minute')
    if (abs < 48 * 3600) return rel.format(Math.round(s / 3600), 'hour')
    return rel.format(Math.round(s / 86400), 'day')
  }
  function render() {
    var now = Date.now()
    document.querySelectorAll('time[data-format]').forEach(function (el) {
      var at = Date.parse(el.getAttribute('datetime'))
      if (isNaN(at)) return
      var format = el.getAttribute('data-format')
      if (format === 'relative') {
        el.textContent = relative(at - now)
        el.title = absolute.format(at)
      } else if (format === 'date') {
        el.textContent = date.format(at)
      } else {
        el.textContent = absolute.format(at)
      }
    })
  }
  window.exampleRenderTimes = render
  render()
  setInterval(render, 10000)
})()
