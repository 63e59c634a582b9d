// Progressive enhancement only: every page works without this file.
import { initAll } from './govuk-frontend.min.js'
import { initAll as initMoj } from './moj-frontend.min.js'

initAll()
initMoj()

// The timeout warning (WCAG 2.2.1): two minutes before the session would end for idleness, a
// modal dialog says so and offers to stay signed in, which refreshes the session's idle clock.
function timeoutWarning (dialog) {
  const idle = Number(dialog.dataset.idleSeconds)
  const warn = Math.min(Number(dialog.dataset.warnSeconds), idle)
  if (!idle || typeof dialog.showModal !== 'function') return
  const left = dialog.querySelector('[data-timeout-left]')
  const stay = dialog.querySelector('form[data-timeout-stay]')
  let warnTimer, endTimer, tick
  const words = (seconds) => seconds >= 60
    ? `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? '' : 's'}`
    : `${seconds} second${seconds === 1 ? '' : 's'}`
  const show = () => {
    const ends = Date.now() + warn * 1000
    const update = () => { left.textContent = words(Math.max(0, Math.round((ends - Date.now()) / 1000))) }
    update()
    tick = setInterval(update, 1000)
    dialog.showModal()
  }
  const start = () => {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    clearInterval(tick)
    warnTimer = setTimeout(show, (idle - warn) * 1000)
    endTimer = setTimeout(() => { window.location.href = '/signed-out?timeout=1' }, idle * 1000)
  }
  const keepAlive = async () => {
    const response = await fetch(stay.action, { method: 'POST', body: new URLSearchParams(new FormData(stay)), credentials: 'same-origin' })
    if (!response.ok) { window.location.href = '/signed-out?timeout=1'; return }
    dialog.close()
    start()
  }
  stay.addEventListener('submit', (event) => { event.preventDefault(); keepAlive() })
  // Escape means "not now", not "sign me out": it keeps the session as the button does.
  dialog.addEventListener('cancel', (event) => { event.preventDefault(); keepAlive() })
  start()
}

document.querySelectorAll('[data-module="vigil-timeout"]').forEach(timeoutWarning)
