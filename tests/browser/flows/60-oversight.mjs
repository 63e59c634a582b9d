import { audit, BASE, check, heading, nav, newPage, signIn, shot, VARIANTS } from '../lib.mjs'

// The oversight roles' flows, each with JavaScript, without it, and at 320 px:
// - a supervisor decides a colleague's four-eyes request (the demo asks three discharges, one
//   per run: approved in two runs, rejected in one) and sees their own request without a form;
// - an auditor finds the views of a record, with the reason and reference the officer gave;
// - an administrator reads the job runs and ends another person's session.
// Only supervisors may ask for a four-eyes action (auth::policy), so the requests are a second
// supervisor's, made by the demo loader (src/cli/demo_approvals.rs).
const text = async (page) => await page.locator('main').innerText()

async function supervisor (js, width, label, decision) {
  const page = await newPage({ js, width })
  await signIn(page, 'Supervisor, met')
  check((await text(page)).includes('for your decision'), `my work counts the requests waiting (${label})`)
  await nav(page, 'Approvals')
  check((await heading(page)) === 'Approvals', `approvals open (${label})`)
  await audit(page, `approvals (${label})`)
  check((await text(page)).includes('You asked for this, so another supervisor must decide it.'), `own request marked (${label})`)

  // Their own request: visible, not actionable, and says why.
  await page.getByRole('link', { name: /^Erase a registrant/ }).first().click()
  check((await text(page)).includes('you cannot approve or reject it'), `own request explains why it has no form (${label})`)
  check(await page.getByRole('button', { name: 'Save decision' }).count() === 0, `own request has no form (${label})`)
  await audit(page, `own request (${label})`)
  await page.getByRole('link', { name: 'Back to approvals' }).click()

  // A colleague's request.
  await page.getByRole('link', { name: /^Discharge an order/ }).first().click()
  check((await text(page)).includes('Approving discharges the order at once'), `the decision page warns of the impact (${label})`)
  await audit(page, `approval decision (${label})`)
  await shot(page, 'approval-decision')
  await page.getByRole('button', { name: 'Save decision' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `deciding without a choice shows the error summary (${label})`)
  await audit(page, `approval decision error (${label})`)
  if (decision === 'reject') {
    await page.getByLabel('Reject').check()
    await page.getByRole('button', { name: 'Save decision' }).click()
    check((await text(page)).includes('Enter why you are rejecting the request'), `rejecting needs a reason (${label})`)
    await audit(page, `approval reject error (${label})`)
    await page.getByLabel('Reject').check()
    await page.getByLabel('Reason for your decision').fill('The court record does not show a discharge.')
  } else {
    await page.getByLabel('Approve').check()
    await page.getByLabel('Reason for your decision').fill('Court order seen.')
  }
  await page.getByRole('button', { name: 'Save decision' }).click()
  const banner = decision === 'reject' ? 'Request rejected' : 'Request approved'
  check((await text(page)).includes(banner), `the decision is confirmed with a banner (${label}): ${banner}`)
  await audit(page, `approvals after deciding (${label})`)
  await page.getByRole('link', { name: decision === 'reject' ? 'Rejected' : 'Approved', exact: true }).click()
  check((await page.locator('table').innerText()).includes('Discharge an order'), `the decided request is listed as ${decision}d (${label})`)
  await audit(page, `approvals decided (${label})`)

  // The first of the four eyes for an order on the caseload: the request page and its error
  // state (the request itself is left to the demo's, so the runs stay independent).
  // Earlier runs' approvals discharge some orders, so look down the caseload for one that can
  // still be discharged.
  await nav(page, 'Caseload')
  const records = await page.locator('main table a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))
  let opened = false
  for (const record of records.slice(0, 12)) {
    if (opened) break
    await page.goto(BASE + record)
    if (page.url().includes('/why')) {
      await page.getByLabel('Managing this registrant (case management, MAPPA)').check()
      await page.getByRole('button', { name: 'Continue' }).click()
    }
    await page.locator('.moj-sub-navigation').getByRole('link', { name: 'Orders' }).click()
    const orders = await page.locator('main a[href*="/orders/01"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')))
    for (const order of orders) {
      await page.goto(BASE + order)
      const request = page.getByRole('button', { name: 'Request discharge' }).or(page.getByRole('link', { name: 'Request discharge' })).first()
      if (await request.count() === 0) continue
      await request.click()
      check((await heading(page)) === 'Request discharge', `request discharge opens (${label})`)
      await audit(page, `request discharge (${label})`)
      await page.getByRole('button', { name: 'Request discharge' }).click()
      check(await page.locator('.govuk-error-summary').isVisible(), `a request without a reason shows the error summary (${label})`)
      await audit(page, `request discharge error (${label})`)
      opened = true
      break
    }
  }
  check(opened, `an order on the caseload offers Request discharge (${label})`)
  await page.context().close()
}

// The officer opens a record with a reason; returns the record's id.
async function officerViews (js, width, label, reference) {
  const page = await newPage({ js, width })
  await signIn(page, 'Public protection officer, met')
  await nav(page, 'Caseload')
  await page.locator('table a').first().click()
  const id = new URL(page.url()).pathname.split('/')[2]
  await page.getByLabel('Protecting a victim or a person at risk (needs a reference)').check()
  await page.getByLabel('Crime or case reference').fill(reference)
  await page.getByRole('button', { name: 'Continue' }).click()
  check((await text(page)).includes('Managed by'), `the officer reads the record (${label})`)
  await page.context().close()
  return id
}

async function auditor (js, width, label, record, reference) {
  const page = await newPage({ js, width })
  await signIn(page, 'Auditor, met')
  await nav(page, 'Audit')
  check((await heading(page)) === 'Audit trail', `the audit trail opens (${label})`)
  await audit(page, `audit search (${label})`)
  await page.getByLabel('Record or subject id').fill('not an id')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `a bad record id shows the error summary (${label})`)
  await audit(page, `audit search error (${label})`)
  await page.getByLabel('Record or subject id').fill(record)
  // Other flows read this record too (probation, looking for sessions): only the officer's views.
  await page.getByLabel('Who').fill('demo-ppo-met')
  const from = page.getByRole('group', { name: 'Date from' })
  await from.getByLabel('Day').fill('1')
  await from.getByLabel('Month').fill('1')
  await from.getByLabel('Year').fill(String(new Date().getFullYear() - 1))
  await page.getByLabel('Kind of action').selectOption('consultation')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  const results = await text(page)
  check(results.includes('Registrant read') && results.includes('demo-ppo-met'), `the auditor finds the views of the record (${label})`)
  check(results.includes(`Protecting a victim or a person at risk, reference ${reference}`), `with the reason and reference given (${label})`)
  check(/Sealed|Not yet sealed/.test(results), `with the chain status (${label})`)
  await audit(page, `audit results (${label})`)
  await shot(page, 'audit-search')
  const row = page.locator('tr', { hasText: reference }).first()
  await row.getByRole('link').click()
  check((await heading(page)).startsWith('Entry '), `the entry opens (${label})`)
  const entry = await text(page)
  check(entry.includes(reference) && entry.includes('Crime or case reference') && entry.includes(record), `the entry has every field (${label})`)
  await audit(page, `audit entry (${label})`)
  await page.context().close()
}

async function administrator (js, width, label) {
  const other = await newPage({ js: true, width: 1024 })
  await signIn(other, 'Report intake, met')
  const page = await newPage({ js, width })
  await signIn(page, 'Administrator, met')
  await nav(page, 'Job runs')
  check((await heading(page)) === 'Job runs', `job runs open (${label})`)
  await audit(page, `job runs (${label})`)
  await page.getByLabel('Job', { exact: true }).selectOption('deliver_outbox')
  await page.getByRole('button', { name: 'Show runs' }).click()
  check(page.url().includes('job=deliver_outbox'), `job runs filter by job (${label})`)
  await audit(page, `job runs filtered (${label})`)
  await nav(page, 'Sessions')
  check((await heading(page)) === 'Sessions', `sessions open (${label})`)
  check((await text(page)).includes('You, this browser'), `the administrator's own session is marked (${label})`)
  await audit(page, `sessions (${label})`)
  // Ending every session of someone, without saying whose: the error summary, nothing ended.
  await page.goto(`${BASE}/sessions/person`)
  await page.getByRole('button', { name: 'End every session' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `ending sessions without a user id shows the error summary (${label})`)
  await audit(page, `end sessions error (${label})`)
  await nav(page, 'Sessions')
  // The most recently active intake session is the one just started.
  await page.locator('tr', { hasText: 'demo-intake-met' }).first().getByRole('link', { name: /^End session/ }).click()
  check((await heading(page)).startsWith('Are you sure you want to end this session'), `ending a session asks first (${label})`)
  await audit(page, `end session (${label})`)
  await page.getByRole('button', { name: 'End session' }).click()
  check((await text(page)).includes('Session ended.'), `the session is ended with a banner (${label})`)
  await audit(page, `sessions after ending (${label})`)
  await other.reload()
  check(other.url().includes('/sign-in'), `the ended session is signed out (${label})`)
  await other.context().close()
  await page.context().close()
}

// The first of the four eyes for a merge: the demo loads one person on two records, confirmed
// as one person, which a supervisor finds under "Confirmed duplicates" and asks to merge (the
// second supervisor's approval is the same decision page as a discharge's). Once per backend:
// the request, once made, waits. `ask`: make the request too, not only the form and its error.
async function merge (js, width, label, ask) {
  console.log(`flow: a merge request (${label}${ask ? '' : ', form and error only'})`)
  const page = await newPage({ js, width })
  await signIn(page, 'Supervisor, met')
  await page.goto(`${BASE}/duplicates?status=confirmed`)
  check((await heading(page)) === 'Duplicates confirmed', `confirmed duplicates open (${label})`)
  await audit(page, `confirmed duplicates (${label})`)
  const pair = page.locator('main table a').first()
  check(await pair.count() > 0, `the demo has a confirmed pair (${label})`)
  await pair.click()
  check((await text(page)).includes('Merge the two records'), `a confirmed pair offers the merge (${label})`)
  await audit(page, `confirmed pair (${label})`)
  await page.getByRole('button', { name: 'Ask for the merge' }).click()
  check((await text(page)).includes('Enter why these records should be merged'), `asking without a reason shows the error summary (${label})`)
  check(await page.locator('.govuk-error-summary').isVisible(), `the error summary is shown (${label})`)
  await audit(page, `merge request error (${label})`)
  if (!ask) { await page.context().close(); return }
  await page.getByLabel('Why should these records be merged?').fill('Same date of birth, names and address (synthetic demo).')
  await page.getByRole('button', { name: 'Ask for the merge' }).click()
  check((await heading(page)).startsWith('Merge two records of one person'), `the request waits for a second supervisor (${label})`)
  check((await text(page)).includes('you cannot approve or reject it'), `one's own merge request has no form (${label})`)
  await audit(page, `merge requested (${label})`)
  await page.context().close()
}

export default async function () {
  // Without JavaScript and at 320 px, the form and its error summary; then, once, the request.
  for (const [js, width] of VARIANTS.slice(1)) await merge(js, width, `merge js=${js} width=${width}`, false)
  await merge(...VARIANTS[0], 'merge', true)
  for (const [n, [js, width]] of VARIANTS.entries()) {
    const label = `js=${js} width=${width}`
    console.log(`flow: supervisor, auditor, administrator (${label})`)
    await supervisor(js, width, label, n === 0 ? 'reject' : 'approve')
    const reference = `AUDIT/60/${n + 1}`
    const record = await officerViews(js, width, label, reference)
    await auditor(js, width, label, record, reference)
    await administrator(js, width, label)
  }
}
