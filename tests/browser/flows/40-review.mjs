import { audit, BASE, check, heading, nav, newPage, signIn, shot, VARIANTS } from '../lib.mjs'

const text = async (page) => await page.locator('main').innerText()

export default async function () {
// A public protection officer works the review queues: acknowledges alerts, looks at what is
// overdue, and reviews a link side by side and decides it, with and without JavaScript, wide
// and at 320 px. The demo loads open alerts, overdue duties and pending links for this.
const decisions = ['No, not the same person', 'Refer: more information is needed', 'No, not the same person']
for (const [n, [js, width]] of VARIANTS.entries()) {
  const label = `js=${js} width=${width}`
  console.log(`flow: review queues (${label})`)
  const page = await newPage({ js, width })
  await signIn(page, 'Public protection officer, met')
  check((await text(page)).includes('open alert'), `my work counts the open alerts (${label})`)
  await audit(page, `my work with counts (${label})`)

  // Alerts: nothing ticked is an error; one ticked is acknowledged.
  await nav(page, 'Alerts')
  check((await heading(page)) === 'Alerts', `the alerts queue opens (${label})`)
  const before = await page.locator('input[name="ids"]').count()
  check(before > 0, `the demo has open alerts (${label})`)
  await audit(page, `alerts (${label})`)
  await shot(page, 'alerts')
  await page.locator('table th').getByRole('link', { name: 'Registrant', exact: true }).or(page.locator('table th').getByRole('button', { name: 'Registrant', exact: true })).first().click()
  await audit(page, `alerts sorted (${label})`)
  await page.getByRole('button', { name: 'Acknowledge selected' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `acknowledging nothing shows the error summary (${label})`)
  await audit(page, `alerts error (${label})`)
  await page.locator('input[name="ids"]').first().check()
  await page.getByRole('button', { name: 'Acknowledge selected' }).click()
  check((await text(page)).includes('have been acknowledged'), `the success banner (${label})`)
  check((await page.locator('input[name="ids"]').count()) === before - 1, `one alert fewer is open (${label})`)
  await audit(page, `alerts acknowledged (${label})`)

  // Overdue duties, filtered.
  await nav(page, 'Overdue')
  check((await heading(page)) === 'Overdue duties', `the overdue queue opens (${label})`)
  await audit(page, `overdue (${label})`)
  await page.getByLabel('What is due').selectOption('initial_notification')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  check(page.url().includes('kind=initial_notification'), `filters are GET parameters (${label})`)
  await audit(page, `overdue filtered (${label})`)

  // Link review: why first, then side by side, then a decision with a reason.
  await nav(page, 'Link review')
  check((await heading(page)) === 'Link review', `the link review queue opens (${label})`)
  await audit(page, `link review queue (${label})`)
  const review = page.locator('table a').first()
  check(await review.count() > 0, `the demo has links to review (${label})`)
  await review.click()
  check(page.url().endsWith('/why'), `a link asks why first (${label})`)
  await page.getByRole('button', { name: 'Continue' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `why without a reason shows the error summary (${label})`)
  await audit(page, `link why error (${label})`)
  await page.getByLabel('Investigating a crime or incident (needs a reference)').check()
  await page.getByLabel('Crime or case reference').fill('DEMO/2026/0900')
  await page.getByRole('button', { name: 'Continue' }).click()
  check((await heading(page)) === 'Is this the same person?', `the side-by-side review opens (${label})`)
  check((await text(page)).includes('What the linker found'), `the linker's findings are shown (${label})`)
  await audit(page, `link review (${label})`)
  await shot(page, 'link-review')
  await page.getByRole('button', { name: 'Save decision' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `a decision without a choice shows the error summary (${label})`)
  await audit(page, `link review error (${label})`)
  await page.getByLabel(decisions[n], { exact: true }).check()
  await page.getByLabel('Why have you decided this?').fill('Synthetic demo: the PNC record gives a different date of birth.')
  await page.getByRole('button', { name: 'Save decision' }).click()
  check((await heading(page)) === 'Link review' && (await text(page)).includes('Link '), `the decision is saved (${label})`)
  check(await page.locator('.govuk-notification-banner--success').isVisible(), `the decision's banner (${label})`)
  await audit(page, `link decided (${label})`)

  // Possible duplicates on the register, beside link review: the queue, and a pair's findings
  // with the decision's error summary when the demo has proposed one.
  await page.getByRole('link', { name: 'Possible duplicates' }).click()
  check((await heading(page)) === 'Possible duplicates on the register', `the possible duplicates open (${label})`)
  await audit(page, `possible duplicates (${label})`)
  const pair = page.locator('table a').first()
  if (await pair.count() > 0) {
    await pair.click()
    check((await heading(page)) === 'Are these the same person?', `a possible duplicate opens (${label})`)
    await audit(page, `possible duplicate (${label})`)
    await page.getByRole('button', { name: 'Save decision' }).click()
    check(await page.locator('.govuk-error-summary').isVisible(), `a duplicate decision without a choice shows the error summary (${label})`)
    await audit(page, `possible duplicate error (${label})`)
  }
  await page.context().close()
}

// The queues are not probation's: the refusal is a page of its own, and accessible.
const page = await newPage()
await signIn(page, 'Probation officer, probation-london')
const response = await page.goto(`${BASE}/alerts`)
check(response.status() === 403 && (await heading(page)) === 'You do not have access to this page', 'probation: alerts refused')
page.errors = page.errors.filter((e) => !e.includes('403'))
await audit(page, 'alerts refused (probation)')
await page.context().close()
}
