// What every flow of the browser suite shares: the browser, pages with their console and
// CSP errors collected, the axe audit (with the 320 px and console checks), and the steps
// every flow takes (sign in, follow the navigation, read the heading).
import fs from 'node:fs'
import path from 'node:path'
import axe from 'axe-core'
import { chromium } from 'playwright-core'

export const BASE = process.env.VIGIL_BASE ?? 'http://127.0.0.1:18091'
export const OUT = process.env.VIGIL_ARTIFACTS ?? 'artifacts'
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
fs.mkdirSync(OUT, { recursive: true })

export const failures = []
export const fail = (what) => { failures.push(what); console.log(`  FAIL ${what}`) }
export const check = (ok, what) => { if (!ok) fail(what) }

export const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
})

export async function newPage ({ js = true, width = 1024 } = {}) {
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

export async function audit (page, name) {
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

export async function heading (page) {
  return (await page.locator('h1').first().innerText()).trim()
}

// Follows a link of the service navigation, opening the "Menu" first where the screen is
// narrow enough (with JavaScript) to have folded it.
export async function nav (page, name) {
  // The menu folds only once the page's script has run: wait for it, or the toggle may not be there yet.
  await page.waitForLoadState('load')
  const toggle = page.locator('.govuk-service-navigation__toggle')
  if (await toggle.isVisible()) await toggle.click()
  await page.locator('.govuk-service-navigation__list').getByRole('link', { name }).click()
}

export async function signIn (page, account) {
  await page.goto(`${BASE}/`)
  check(page.url().includes('/sign-in'), `not signed in, / goes to the sign-in page (was ${page.url()})`)
  await page.getByLabel(account, { exact: true }).check()
  await page.getByRole('button', { name: 'Sign in' }).click()
  check((await heading(page)) === 'My work', `${account}: signed in to My work`)
}

// A screenshot for the artifacts (and the README), taken once: in the wide JavaScript run.
export async function shot (page, name) {
  if (page.js && page.viewportSize().width >= 1024) await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true })
}

// Each flow runs with JavaScript, without it, and at 320 px wide.
export const VARIANTS = [[true, 1024], [false, 1024], [true, 320]]
