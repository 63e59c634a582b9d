// The real sign-in, in Chromium: `vigil serve` signing people in through the test OpenID
// Provider (tests/oidc-provider, fixed synthetic accounts, any password), both started by
// .ci/browser.sh. For a public protection officer and an intake officer, with JavaScript and
// without it:
//   1. `/` sends the browser to the provider's login page; signing in there (login, consent)
//      lands on Vigil's My work as that person, with that role's navigation and nothing else;
//   2. axe reports nothing and there is no console error or CSP violation (the provider's
//      pages are not audited: they are the test provider's, not Vigil's);
//   3. a page of another role is refused, naming no way round it;
//   4. "Sign out" ends the session here and at the provider (RP-initiated logout, confirmed on
//      the provider's page) and comes back to the signed-out page;
//   5. a protected page then asks for a password again (no silent single sign-on), and signing
//      in there comes back to that page.
// Usage: VIGIL_BASE=http://127.0.0.1:18092 VIGIL_ISSUER=http://127.0.0.1:18093 node real-login.mjs
import { audit, BASE, browser, check, failures, heading, newPage, shot } from './lib.mjs'

const ISSUER = process.env.VIGIL_ISSUER
if (!ISSUER) {
  console.error('real-login.mjs: VIGIL_ISSUER (the test provider) is required')
  process.exit(2)
}

// Every link the service navigation can hold; each account must show exactly `nav`.
const ACCOUNTS = [
  {
    login: 'ppo',
    who: 'Public protection officer, met-ppu',
    nav: ['My work', 'Caseload', 'Find a registrant', 'Breaches', 'Alerts', 'Overdue', 'Link review', 'Record a report', 'My reports'],
    own: ['/caseload', 'Caseload'],
    refused: ['/audit', '/approvals', '/sessions']
  },
  {
    login: 'intake',
    who: 'Report intake, met-ppu',
    nav: ['My work', 'Record a report', 'My reports'],
    own: ['/reports', 'My reports'],
    refused: ['/caseload', '/find', '/audit']
  }
]
const RESTRICTED = ['/caseload', '/find', '/breaches', '/alerts', '/overdue', '/links', '/reports/new', '/reports',
  '/approvals', '/audit', '/job-runs', '/sessions']

const at = (page, origin, path = '') => page.url().startsWith(`${origin}${path}`)

// The provider's login page is open: sign in there as `login` (any password) and give consent
// when asked. Returns once the browser is back on Vigil.
async function provider (page, login, name) {
  check(at(page, ISSUER, '/interaction/'), `${name}: at the provider's login page (was ${page.url()})`)
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any-synthetic-password')
  const loginPage = page.url()
  await page.getByRole('button', { name: 'Sign-in' }).click()
  await page.waitForURL((url) => url.href !== loginPage, { timeout: 10000 })
  // The first sign-in of a browser asks for consent to share the role and organisation.
  const consent = page.getByRole('button', { name: 'Continue' })
  if (at(page, ISSUER, '/interaction/') && await consent.count()) await consent.click()
  await page.waitForURL((url) => url.href.startsWith(BASE), { timeout: 10000 })
}

async function navigation (page) {
  return (await page.locator('.govuk-service-navigation__list a').allInnerTexts()).map((t) => t.trim())
}

for (const js of [true, false]) {
  for (const a of ACCOUNTS) {
    const name = `${a.login}${js ? '' : ' (no JavaScript)'}`
    console.log(`real sign-in: ${name}`)
    const page = await newPage({ js })
    // Offline: the provider's pages import a web font; nothing may leave the machine.
    await page.context().route((url) => !url.href.startsWith('http://127.0.0.1:'), (route) => route.abort())

    // 1. Not signed in: `/` goes to the provider, and back to My work as this person.
    await page.goto(`${BASE}/`)
    await provider(page, a.login, name)
    check(page.url() === `${BASE}/`, `${name}: back on / after signing in (was ${page.url()})`)
    check((await heading(page)) === 'My work', `${name}: signed in to My work`)
    check((await page.locator('body').innerText()).includes(`Signed in as ${a.who}.`), `${name}: says who is signed in`)
    const nav = await navigation(page)
    check(JSON.stringify(nav) === JSON.stringify(a.nav), `${name}: navigation ${JSON.stringify(nav)}, expected ${JSON.stringify(a.nav)}`)
    // Nothing on the page links to a page outside this role's navigation.
    const mine = await page.locator('.govuk-service-navigation__list a').evaluateAll((links) => links.map((l) => l.getAttribute('href')))
    for (const href of RESTRICTED.filter((h) => !mine.includes(h))) {
      check((await page.locator(`a[href="${href}"]`).count()) === 0, `${name}: My work links to ${href}, outside the role`)
    }
    await audit(page, `my work after the real sign-in (${name})`)
    await shot(page, `real-login-my-work-${a.login}`)

    // 2. Another role's pages are refused.
    for (const path of a.refused) {
      const response = await page.goto(`${BASE}${path}`)
      check(response.status() === 403, `${name}: ${path} answered ${response.status()}, expected 403`)
      check((await heading(page)) === 'You do not have access to this page', `${name}: ${path}: the refusal says so`)
    }
    page.errors = page.errors.filter((e) => !e.includes('403'))
    await audit(page, `refusal after the real sign-in (${name})`)

    // 3. Sign out: here, then at the provider, then the signed-out page.
    await page.goto(`${BASE}/`)
    await page.getByRole('button', { name: 'Sign out' }).first().click()
    await page.waitForURL((url) => url.href !== `${BASE}/`, { timeout: 10000 })
    check(at(page, ISSUER, '/session/end'), `${name}: sign-out goes on to the provider's end-session page (was ${page.url()})`)
    if (at(page, ISSUER, '/session/end')) {
      await page.getByRole('button', { name: 'Yes, sign me out' }).click()
      await page.waitForURL((url) => url.href.startsWith(BASE), { timeout: 10000 })
    }
    check(at(page, BASE, '/signed-out'), `${name}: back on the signed-out page (was ${page.url()})`)
    check((await heading(page)) === 'You have signed out', `${name}: the signed-out page says so`)
    const again = await page.getByRole('link', { name: 'Sign in again' }).getAttribute('href').catch(() => null)
    check(again?.startsWith('/auth/login') === true, `${name}: "Sign in again" goes to the real login (was ${again})`)
    await audit(page, `signed out after the real sign-in (${name})`)
    const cookies = await page.context().cookies(BASE)
    check(!cookies.some((c) => c.name === '__Host-vigil_session'), `${name}: the session cookie is gone`)

    // 4. A protected page asks for the password again: the provider's session ended too.
    const [own, ownHeading] = a.own
    await page.goto(`${BASE}${own}`)
    check(at(page, ISSUER, '/interaction/') && (await page.locator('input[name="password"]').count()) === 1,
      `${name}: after signing out, ${own} asks for a password at the provider (was ${page.url()})`)
    if (at(page, ISSUER, '/interaction/')) {
      await provider(page, a.login, name)
      check(page.url() === `${BASE}${own}`, `${name}: signing in again comes back to ${own} (was ${page.url()})`)
      check((await heading(page)) === ownHeading, `${name}: ${own} opens after signing in again (heading "${await heading(page)}")`)
      await audit(page, `${own} after signing in again (${name})`)
    }
    await page.context().close()
  }
}

await browser.close()
if (failures.length) {
  console.log(`\n${failures.length} problem(s)`)
  process.exit(1)
}
console.log('\nreal sign-in: all checks passed')
