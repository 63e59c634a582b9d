import { audit, BASE, check, heading, nav, newPage, OUT, signIn, shot, VARIANTS } from '../lib.mjs'
import path from 'node:path'

export default async function () {
// 5. Keyboard only.
console.log('keyboard')
{
  const page = await newPage()
  await page.goto(`${BASE}/sign-in`)
  await page.keyboard.press('Tab')
  check(await page.evaluate(() => document.activeElement.classList.contains('govuk-skip-link')), 'the skip link is the first stop')
  const seen = []
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab')
    const focus = await page.evaluate(() => {
      const el = document.activeElement
      const style = getComputedStyle(el)
      const visible = style.outlineStyle !== 'none' || style.boxShadow !== 'none' || style.backgroundColor === 'rgb(255, 221, 0)'
      return { tag: el.tagName, text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40), visible }
    })
    seen.push(focus)
    check(focus.visible, `keyboard: focus is visible on ${focus.tag} "${focus.text}"`)
    if (focus.tag === 'BUTTON' && focus.text === 'Sign in') break
  }
  check(seen.some((f) => f.tag === 'INPUT') && seen.at(-1)?.text === 'Sign in', 'keyboard: the choices and the button are reached in order')
  // Choose with the keyboard: back to the first radio, select it with Space, submit with Enter.
  await page.focus('input[name=account]')
  await page.keyboard.press('Space')
  await page.keyboard.press('Enter')
  await page.waitForURL((url) => url.pathname === '/')
  check((await heading(page)) === 'My work', 'keyboard: signing in works')
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate(() => document.activeElement.innerText?.trim() === 'Caseload')) break
  }
  await page.keyboard.press('Enter')
  await page.waitForURL((url) => url.pathname === '/caseload')
  check((await heading(page)) === 'Caseload', 'keyboard: the caseload opens from the navigation')
  await page.context().close()
}

// The order forms added with variation and discharge, from the keyboard alone: every stop has a
// visible focus, in order, up to the form's own button.
console.log('keyboard: order forms')
{
  const page = await newPage()
  await signIn(page, 'Supervisor, met')
  await nav(page, 'Caseload')
  const records = await page.locator('main table a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))
  let order = null
  for (const record of records.slice(0, 12)) {
    await page.goto(BASE + record)
    if (page.url().includes('/why')) {
      await page.getByLabel('Managing this registrant (case management, MAPPA)').check()
      await page.getByRole('button', { name: 'Continue' }).click()
    }
    await page.locator('.moj-sub-navigation').getByRole('link', { name: 'Orders' }).click()
    const orders = await page.locator('main a[href*="/orders/01"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')))
    for (const href of orders) {
      await page.goto(BASE + href)
      if (await page.getByRole('button', { name: 'Request discharge' }).or(page.getByRole('link', { name: 'Request discharge' })).count() > 0) {
        order = href
        break
      }
    }
    if (order) break
  }
  check(order !== null, 'keyboard: an order that can be varied and discharged')
  for (const [suffix, button] of [['/vary', 'Record the hearing'], ['/discharge', 'Request discharge']]) {
    if (!order) break
    await page.goto(BASE + order + suffix)
    let reached = false
    for (let i = 0; i < 200 && !reached; i++) {
      await page.keyboard.press('Tab')
      const focus = await page.evaluate(() => {
        const el = document.activeElement
        const style = getComputedStyle(el)
        const visible = style.outlineStyle !== 'none' || style.boxShadow !== 'none' || style.backgroundColor === 'rgb(255, 221, 0)'
        return { tag: el.tagName, text: (el.innerText || el.value || '').trim().slice(0, 40), visible, hidden: el.hidden }
      })
      if (!focus.hidden) check(focus.visible, `keyboard (${suffix}): focus is visible on ${focus.tag} "${focus.text}"`)
      reached = focus.tag === 'BUTTON' && focus.text === button
    }
    check(reached, `keyboard (${suffix}): the form's button "${button}" is reached`)
  }
  await page.context().close()
}

// Possible duplicates from the keyboard alone: the queue's first pair opens with Enter, every
// stop on its page has a visible focus, and a decision is chosen, explained and saved by keys.
console.log('keyboard: possible duplicates')
{
  const page = await newPage()
  await signIn(page, 'Public protection officer, met')
  await page.goto(`${BASE}/duplicates`)
  check(await page.locator('main table a').count() > 0, 'keyboard: the demo has possible duplicates')
  let opened = false
  for (let i = 0; i < 60 && !opened; i++) {
    await page.keyboard.press('Tab')
    opened = await page.evaluate(() => document.activeElement.getAttribute('href')?.startsWith('/duplicates/') ?? false)
  }
  check(opened, 'keyboard: a pair in the queue is reached')
  await page.keyboard.press('Enter')
  await page.waitForURL((url) => url.pathname.startsWith('/duplicates/'))
  check((await heading(page)) === 'Are these the same person?', 'keyboard: the pair opens')
  let saved = false
  for (let i = 0; i < 80 && !saved; i++) {
    await page.keyboard.press('Tab')
    const focus = await page.evaluate(() => {
      const el = document.activeElement
      const style = getComputedStyle(el)
      const visible = style.outlineStyle !== 'none' || style.boxShadow !== 'none' || style.backgroundColor === 'rgb(255, 221, 0)'
      return { tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 40), visible }
    })
    check(focus.visible, `keyboard (duplicate): focus is visible on ${focus.tag} "${focus.text}"`)
    if (focus.id === 'decision') await page.keyboard.press('ArrowDown') // "No, different people"
    if (focus.id === 'why') await page.keyboard.type('Synthetic demo: different dates of birth on the PNC.')
    if (focus.tag === 'BUTTON' && focus.text === 'Save decision') {
      await page.keyboard.press('Enter')
      saved = true
    }
  }
  await page.waitForURL((url) => url.pathname === '/duplicates')
  check(await page.locator('.govuk-notification-banner--success').isVisible(), 'keyboard: the decision is saved')
  await page.context().close()
}

// The timeout warning (WCAG 2.2.1): two minutes before idle expiry a modal dialog offers to stay
// signed in; staying keeps the session; the dialog passes axe; without a choice it signs out.
console.log('timeout warning')
{
  const page = await newPage()
  await page.clock.install()
  await signIn(page, 'Public protection officer, met')
  const dialog = page.locator('dialog.vigil-timeout')
  check(!(await dialog.isVisible()), 'the timeout warning is closed at first')
  await page.clock.fastForward('28:30')
  // The page's timer runs on the fast-forwarded clock; give the dialog a moment to open.
  const opened = await dialog.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false)
  check(opened, 'the timeout warning opens before idle expiry')
  check((await page.evaluate(() => document.activeElement.innerText?.trim())) === 'Stay signed in', 'focus moves to "Stay signed in"')
  await audit(page, 'timeout warning')
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => !document.querySelector('dialog.vigil-timeout').open)
  await nav(page, 'Caseload')
  check((await heading(page)) === 'Caseload', 'still signed in after "Stay signed in"')
  await page.clock.fastForward('30:01')
  await page.waitForURL((url) => url.pathname === '/signed-out')
  check((await page.locator('main').innerText()).includes('had not done anything'), 'signed out at idle expiry, and told why')
  await page.context().close()
}
}
