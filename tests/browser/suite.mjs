// The web interface in a real Chromium (Debian's), against a running `vigil demo`:
//   1. each role's flows that the web interface has so far complete end to end (demo sign-in);
//   2. axe (WCAG 2.0/2.1/2.2 A and AA) reports nothing on any page, error states included;
//   3. no console error and no CSP violation with the CSP on;
//   4. every flow also completes with JavaScript disabled;
//   5. keyboard only: the skip link comes first, every control is reached in order with a
//      visible focus, and the sign-in and the caseload work from the keyboard;
//   6. at 320 px wide, no page scrolls sideways;
//   7. screenshots of the key pages are saved as artifacts.
// Usage: VIGIL_BASE=http://127.0.0.1:18091 node suite.mjs   (run by .ci/browser.sh)
import fs from 'node:fs'
import path from 'node:path'
import axe from 'axe-core'
import { chromium } from 'playwright-core'

const BASE = process.env.VIGIL_BASE ?? 'http://127.0.0.1:18091'
const OUT = process.env.VIGIL_ARTIFACTS ?? 'artifacts'
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
fs.mkdirSync(OUT, { recursive: true })

const failures = []
const fail = (what) => { failures.push(what); console.log(`  FAIL ${what}`) }
const check = (ok, what) => { if (!ok) fail(what) }

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
})

async function newPage ({ js = true, width = 1024 } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 800 } })
  const page = await context.newPage()
  page.errors = []
  page.js = js
  // A page answered 4xx on purpose (a refusal, a form with errors) logs "Failed to load
  // resource" for the document itself; what must not fail is anything the page loads.
  page.on('console', (msg) => { if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) page.errors.push(msg.text()) })
  page.on('pageerror', (err) => page.errors.push(String(err)))
  page.on('response', (r) => { if (r.request().resourceType() !== 'document' && r.status() >= 400) page.errors.push(`${r.status()} ${r.url()}`) })
  return page
}

async function audit (page, name) {
  // Without JavaScript nothing can run in the page, axe included: those pages are audited in
  // the JavaScript runs, and here only their flow is checked.
  if (!page.js) return
  const results = await page.evaluate(async (source) => {
    // Evaluated through the DevTools protocol, which the page's CSP does not govern.
    window.eval(source)
    return await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
  }, axe.source)
  for (const v of results.violations) fail(`${name}: axe ${v.id} (${v.impact}) on ${v.nodes.length} element(s): ${v.help}`)
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)
  check(!wide || page.viewportSize().width > 320, `${name}: scrolls sideways at 320 px`)
  check(page.errors.length === 0, `${name}: console errors: ${page.errors.join(' | ')}`)
  page.errors = []
}

async function heading (page) {
  return (await page.locator('h1').first().innerText()).trim()
}

// Follows a link of the service navigation, opening the "Menu" first where the screen is
// narrow enough (with JavaScript) to have folded it.
async function nav (page, name) {
  const toggle = page.locator('.govuk-service-navigation__toggle')
  if (await toggle.isVisible()) await toggle.click()
  await page.locator('.govuk-service-navigation__list').getByRole('link', { name }).click()
}

async function signIn (page, account) {
  await page.goto(`${BASE}/`)
  check(page.url().includes('/sign-in'), `not signed in, / goes to the sign-in page (was ${page.url()})`)
  await page.getByLabel(account, { exact: true }).check()
  await page.getByRole('button', { name: 'Sign in' }).click()
  check((await heading(page)) === 'My work', `${account}: signed in to My work`)
}

// 1, 2, 3, 4, 6, 7: the public protection officer's flow, with and without JavaScript, wide and narrow.
for (const [js, width] of [[true, 1024], [false, 1024], [true, 320]]) {
  const label = `js=${js} width=${width}`
  console.log(`flow: public protection officer (${label})`)
  const page = await newPage({ js, width })
  await page.goto(`${BASE}/sign-in`)
  await audit(page, `sign-in (${label})`)
  await page.getByRole('button', { name: 'Sign in' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `sign-in without a choice shows the error summary (${label})`)
  await audit(page, `sign-in error (${label})`)
  await signIn(page, 'Public protection officer, met')
  await audit(page, `my work (${label})`)
  await page.getByRole('link', { name: 'Caseload' }).first().click()
  check((await heading(page)) === 'Caseload', `caseload opens (${label})`)
  await audit(page, `caseload (${label})`)
  if (js && width === 1024) await page.screenshot({ path: path.join(OUT, 'caseload.png') })
  await nav(page, 'Find a registrant')
  await page.getByRole('button', { name: 'Search' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `find without a reason shows the error summary (${label})`)
  await audit(page, `find error (${label})`)
  await page.getByLabel('Identifier (phone, email, handle, number)').check()
  await page.getByLabel('Kind of identifier').selectOption('phone')
  await page.getByLabel('Identifier', { exact: true }).fill('07700 900000')
  await page.getByLabel('Why are you searching?').selectOption('OFFENDER_MANAGEMENT')
  await page.getByRole('button', { name: 'Search' }).click()
  check((await page.locator('body').innerText()).includes('Matched on the identifier'), `find by phone (${label})`)
  await audit(page, `find results (${label})`)
  await nav(page, 'Caseload')
  await page.locator('table a').first().click()
  check(page.url().endsWith('/why'), `a record asks why first (${label})`)
  await audit(page, `why (${label})`)
  await page.getByRole('button', { name: 'Continue' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `why without a reason shows the error summary (${label})`)
  await audit(page, `why error (${label})`)
  if (js && width === 1024) await page.screenshot({ path: path.join(OUT, 'why-error.png') })
  await page.getByLabel('Protecting a victim or a person at risk (needs a reference)').check()
  await page.getByLabel('Crime or case reference').fill('CASE/2026/1')
  await page.getByRole('button', { name: 'Continue' }).click()
  check((await page.locator('body').innerText()).includes('Managed by'), `the record opens with its managing force (${label})`)
  await audit(page, `record (${label})`)
  if (js && width === 1024) await page.screenshot({ path: path.join(OUT, 'record.png'), fullPage: true })
  await page.getByRole('link', { name: 'Orders' }).click()
  check((await heading(page)) === 'Orders', `the orders tab opens (${label})`)
  await audit(page, `orders (${label})`)
  if (js && width === 1024) await page.screenshot({ path: path.join(OUT, 'orders.png'), fullPage: true })
  await page.getByRole('button', { name: 'Sign out' }).click()
  check((await heading(page)) === 'You have signed out', `signing out (${label})`)
  await audit(page, `signed out (${label})`)
  await page.context().close()
}

// Every role's home, and the pages a role may not open.
for (const [account, caseload] of [
  ['Supervisor, met', true], ['Probation officer, probation-london', true], ['Report intake, met', false],
  ['Auditor, met', false], ['Administrator, met', false]
]) {
  console.log(`role: ${account}`)
  const page = await newPage()
  await signIn(page, account)
  await audit(page, `my work (${account})`)
  const response = await page.goto(`${BASE}/caseload`)
  check((response.status() === 200) === caseload, `${account}: caseload ${response.status()}`)
  if (!caseload) check((await heading(page)) === 'You do not have access to this page', `${account}: the refusal says so`)
  page.errors = page.errors.filter((e) => !e.includes('403'))
  await audit(page, `caseload or refusal (${account})`)
  await page.context().close()
}
for (const info of ['/accessibility', '/cookies']) {
  const page = await newPage()
  await page.goto(`${BASE}${info}`)
  await audit(page, info)
  await page.context().close()
}

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

await browser.close()
if (failures.length) {
  console.log(`\n${failures.length} problem(s)`)
  process.exit(1)
}
console.log('\nbrowser suite: all checks passed')
