import { audit, check, heading, nav, newPage, signIn, shot, VARIANTS } from '../lib.mjs'

// Fills the report form: the crime, the victim, a suspect known by a name and an online handle
// (unique to this run, so each variant makes its own pattern), and the reason for the check.
async function fillReport (page, { crime, victim, handle }) {
  await page.getByLabel('Crime reference').fill(crime)
  await page.getByLabel('Main classification').selectOption('harassment')
  await page.locator('#included_classifications-0').selectOption('stalking')
  await page.locator('#occurred_from').fill('1')
  await page.locator('#occurred_from-month').fill('10')
  await page.locator('#occurred_from-year').fill('2026')
  await page.getByLabel('Social media').check()
  await page.getByLabel('Victim reference').fill(victim)
  await page.locator('#suspect-names-0-given').fill('Quill')
  await page.locator('#suspect-names-0-family').fill('Browserton')
  await page.locator('#suspect-identifiers-0-kind').selectOption('online_handle')
  await page.locator('#suspect-identifiers-0-platform').fill('instagram')
  await page.locator('#suspect-identifiers-0-value').fill(handle)
  await page.getByLabel('Why are you checking this report against the register?').selectOption('INVESTIGATION')
}

export default async function () {
// Intake records a report and runs a check (no match); a second report about the same suspect
// from another victim links (possible match), and both forces' officers then read the pattern.
let run = 0
for (const [js, width] of VARIANTS) {
  run += 1
  const label = `js=${js} width=${width}`
  const stamp = `${Date.now().toString(36)}${run}`
  const handle = `@quill_${stamp}`
  console.log(`flow: report intake (${label})`)
  const page = await newPage({ js, width })
  await signIn(page, 'Report intake, met')
  check(!(await page.locator('main').innerText()).includes('/api/'), `intake's home links to pages, not the API (${label})`)
  await nav(page, 'Record a report')
  check((await heading(page)) === 'Record a crime report', `the report form opens (${label})`)
  await audit(page, `report form (${label})`)
  await shot(page, 'report-form')

  await page.getByRole('button', { name: 'Record and check' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `an empty report shows the error summary (${label})`)
  check((await page.title()).startsWith('Error:'), `the title says there is an error (${label})`)
  await audit(page, `report form error (${label})`)
  await shot(page, 'report-form-error')
  await page.locator('.govuk-error-summary a').first().click()

  await page.getByRole('button', { name: 'Add another identifier' }).click()
  check(await page.locator('#suspect-identifiers-2-value').count() === 1, `add another identifier gives a third row (${label})`)
  await audit(page, `report form, another identifier (${label})`)

  await fillReport(page, { crime: `MET/B/${stamp}/1`, victim: `VB-${stamp}-1`, handle })
  await page.locator('#suspect-identifiers-2-kind').selectOption('email')
  await page.locator('#suspect-identifiers-2-value').fill(`quill.${stamp}@example.org`)
  await page.getByRole('button', { name: 'Record and check' }).click()
  check((await heading(page)) === 'No match', `the first report has no match (${label}): ${await heading(page)}`)
  check((await page.locator('.govuk-panel__body').innerText()).includes('CHK-'), `the result gives a check reference (${label})`)
  await audit(page, `check result, no match (${label})`)

  await nav(page, 'Record a report')
  await fillReport(page, { crime: `MET/B/${stamp}/2`, victim: `VB-${stamp}-2`, handle })
  await page.getByRole('button', { name: 'Record and check' }).click()
  const result = await heading(page)
  check(result === 'Possible match — the public protection unit has been told', `a second victim's report links (${label}): ${result}`)
  const body = await page.locator('main').innerText()
  check(!body.includes('Browserton') && !body.includes(`MET/B/${stamp}/1`), `the result says nothing about what it matched (${label})`)
  await audit(page, `check result, possible match (${label})`)
  await shot(page, 'check-result')

  await page.getByRole('link', { name: 'View the report' }).click()
  check((await heading(page)) === `MET/B/${stamp}/2`, `the report's page opens (${label})`)
  await audit(page, `report (${label})`)
  await nav(page, 'My reports')
  check((await page.locator('table').innerText()).includes(`MET/B/${stamp}/1`), `my reports lists the report (${label})`)
  await audit(page, `my reports (${label})`)
  await shot(page, 'my-reports')
  await page.context().close()

  // The force's public protection officer reaches the pattern from the report (the alerts
  // queue links to it too).
  const ppo = await newPage({ js, width })
  await signIn(ppo, 'Public protection officer, met')
  await nav(ppo, 'My reports')
  await ppo.getByRole('link', { name: `MET/B/${stamp}/1` }).click()
  check(ppo.url().endsWith('/why'), `a report asks the officer why first (${label})`)
  await ppo.getByLabel('Investigating a crime or incident (needs a reference)').check()
  await ppo.getByLabel('Crime or case reference').fill(`MET/B/${stamp}/1`)
  await ppo.getByRole('button', { name: 'Continue' }).click()
  await audit(ppo, `report, as an officer (${label})`)
  await ppo.getByRole('link', { name: 'View the serial pattern' }).first().click()
  check(ppo.url().endsWith('/why'), `the pattern asks why first (${label})`)
  await audit(ppo, `pattern why (${label})`)
  await ppo.getByLabel('Developing intelligence (needs a reference)').check()
  await ppo.getByRole('button', { name: 'Continue' }).click()
  check(await ppo.locator('.govuk-error-summary').isVisible(), `a reason without its reference shows the error summary (${label})`)
  await audit(ppo, `pattern why error (${label})`)
  await ppo.getByLabel('Crime or case reference').fill(`OP/${stamp}`)
  await ppo.getByRole('button', { name: 'Continue' }).click()
  check((await heading(ppo)).startsWith('Serial pattern across 2 victims'), `the pattern opens (${label})`)
  const text = await ppo.locator('main').innerText()
  check(text.includes('No active order — consider an SPO application'), `the no-order banner (${label})`)
  check(text.includes('V1') && text.includes('V2') && !text.includes(`VB-${stamp}`), `victims as V1, V2, never their references (${label})`)
  check(text.includes(`quill_${stamp}`), `the identifier in common (${label})`)
  check(!(await ppo.title()).includes('VB-') && !ppo.url().includes('VB-'), `no victim in the title or the address (${label})`)
  await audit(ppo, `pattern (${label})`)
  await shot(ppo, 'pattern')
  await ppo.context().close()
}

}
