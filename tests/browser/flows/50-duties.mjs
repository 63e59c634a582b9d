// Probation records attendance at a programme session; a public protection officer decides a
// breach (what it is about, why it was due) and records a notification. With JavaScript, without
// it, and at 320 px; axe on every page, error states included.
import { audit, BASE, check, heading, nav, newPage, signIn, shot, VARIANTS } from '../lib.mjs'

// Gives a reason on the "Why are you accessing this?" page if it is asked for.
async function giveReason (page) {
  if (!page.url().includes('/why')) return
  await page.getByLabel('Checking or recording compliance with an order or obligation').check()
  await page.getByRole('button', { name: 'Continue' }).click()
}

// The first record on the caseload whose obligations offer a link named like `name`.
async function recordWith (page, name) {
  await nav(page, 'Caseload')
  const hrefs = await page.locator('table a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))
  for (const href of hrefs) {
    await page.goto(`${BASE}${href}/obligations`)
    await giveReason(page)
    if (await page.getByRole('link', { name }).count()) return href
  }
  return null
}

// The first record on the caseload whose obligations offer an outcome to record.
async function recordWithSession (page) {
  return recordWith(page, /^Record an outcome/)
}

export default async function () {
  for (const [js, width] of VARIANTS) {
    const label = `js=${js} width=${width}`
    console.log(`flow: probation records attendance (${label})`)
    const page = await newPage({ js, width })
    await signIn(page, 'Probation officer, probation-london')
    const href = await recordWithSession(page)
    check(href !== null, `probation finds a programme session to record (${label})`)
    if (href === null) { await page.context().close(); continue }
    check((await heading(page)) === 'Obligations', `the obligations tab opens (${label})`)
    await audit(page, `obligations (${label})`)
    // "Why is this due?" opens and is audited open.
    await page.locator('.govuk-details__summary').first().click()
    await audit(page, `obligations with why open (${label})`)
    await shot(page, 'obligations')
    await page.getByRole('link', { name: /^Record an outcome/ }).first().click()
    check((await heading(page)) === 'What happened?', `the outcome question (${label})`)
    await audit(page, `outcome (${label})`)
    await page.getByRole('button', { name: 'Continue' }).click()
    check(await page.locator('.govuk-error-summary').isVisible(), `an outcome without a choice shows the error summary (${label})`)
    await audit(page, `outcome error (${label})`)
    // Attendance is offered only once the session has started; one still to come takes an
    // absence agreed beforehand.
    if (await page.getByLabel('Attended complied').count()) {
      await page.getByLabel('Attended complied').check()
    } else {
      check((await page.locator('.govuk-inset-text').innerText()).includes('has not started yet'), `a session to come says why (${label})`)
      await page.getByRole('radio', { name: 'Acceptable absence' }).check()
      await page.getByLabel('If it was an acceptable absence: why it was acceptable').fill('Hospital appointment agreed beforehand.')
    }
    await page.getByRole('button', { name: 'Continue' }).click()
    check((await heading(page)) === 'Check the outcome before recording it', `check answers (${label})`)
    await audit(page, `outcome check (${label})`)
    await page.getByRole('button', { name: 'Record the outcome' }).click()
    check((await page.locator('.govuk-notification-banner').innerText()).includes('Outcome recorded'), `the outcome is recorded (${label})`)
    await audit(page, `obligations after outcome (${label})`)
    // A missed session offers a correction (attended, entered late): its form and error summary,
    // on the first record that has one (the demo's detector and failed sessions make them).
    const correctable = await recordWith(page, /^Correct the outcome/)
    check(correctable !== null, `probation finds a missed session to correct (${label})`)
    if (correctable !== null) {
      console.log(`  correction page (${label})`)
      await page.getByRole('link', { name: /^Correct the outcome/ }).first().click()
      check((await heading(page)) === 'Correct a missed session', `the correction page (${label})`)
      await audit(page, `correction (${label})`)
      await page.getByRole('button', { name: 'Correct the outcome' }).click()
      check(await page.locator('.govuk-error-summary').isVisible(), `a correction without a choice or reason shows the error summary (${label})`)
      await audit(page, `correction error (${label})`)
    }
    await page.context().close()
  }

  for (const [js, width] of VARIANTS) {
    const label = `js=${js} width=${width}`
    console.log(`flow: public protection officer decides a breach (${label})`)
    const page = await newPage({ js, width })
    await signIn(page, 'Public protection officer, met')
    await nav(page, 'Breaches')
    check((await heading(page)) === 'Breaches', `the breaches list (${label})`)
    await audit(page, `breaches (${label})`)
    // Earlier runs decide the open ones: a later decision may follow on any breach.
    await page.getByLabel('Status').selectOption('all')
    await page.getByRole('button', { name: 'Apply filter' }).click()
    await page.locator('table a').first().click()
    await giveReason(page)
    check((await heading(page)).startsWith('Breach:'), `the breach opens after the reason (${label})`)
    check((await page.locator('main').innerText()).includes('Order'), `the breach names its order (${label})`)
    await audit(page, `breach (${label})`)
    await shot(page, 'breach')
    await page.getByRole('button', { name: 'Record the decision' }).click()
    check(await page.locator('.govuk-error-summary').isVisible(), `a decision without a choice shows the error summary (${label})`)
    await audit(page, `breach decision error (${label})`)
    await page.getByLabel('Warning').check()
    await page.getByLabel('Why').fill('Warned in writing at the next appointment.')
    await page.getByRole('button', { name: 'Record the decision' }).click()
    check((await page.locator('.govuk-notification-banner').innerText()).includes('Decision recorded'), `the decision is recorded (${label})`)
    check((await page.locator('.moj-timeline').innerText()).includes('Warned in writing'), `the timeline shows it (${label})`)
    await audit(page, `breach decided (${label})`)

    // A notification made at the station, recorded from the same record's obligations.
    await page.getByRole('link', { name: 'Obligations' }).click()
    await page.getByRole('link', { name: 'Record a notification' }).click()
    check((await heading(page)) === 'Record a notification', `the notification form (${label})`)
    await audit(page, `notification (${label})`)
    await page.getByRole('button', { name: 'Continue' }).click()
    check(await page.locator('.govuk-error-summary').isVisible(), `an empty notification shows the error summary (${label})`)
    await audit(page, `notification error (${label})`)
    await page.getByLabel('Change of address').check()
    await page.getByLabel('In person at a police station').check()
    await page.getByLabel('Police station', { exact: true }).fill('Exampleton Police Station')
    // Yesterday at 9:15am: always in the past, whatever time of day the suite runs (today's
    // 9:15am is in the future before then, and the form rightly refuses it).
    const yesterday = new Date(Date.now() - 24 * 3600 * 1000)
    await page.locator('#on-day').fill(String(yesterday.getUTCDate()))
    await page.locator('#on-month').fill(String(yesterday.getUTCMonth() + 1))
    await page.locator('#on-year').fill(String(yesterday.getUTCFullYear()))
    await page.getByLabel('Time of the notification').fill('9:15am')
    await page.getByLabel('A written acknowledgement was given').check()
    await page.getByRole('button', { name: 'Continue' }).click()
    check((await heading(page)) === 'Check the notification before recording it', `notification check answers (${label})`)
    await audit(page, `notification check (${label})`)
    await page.getByRole('button', { name: 'Record the notification' }).click()
    check((await page.locator('.govuk-notification-banner').innerText()).includes('Notification recorded'), `the notification is recorded (${label})`)
    await audit(page, `obligations after notification (${label})`)

    // Travel abroad the police know of, recorded from the same tab.
    await page.getByRole('link', { name: 'Record travel abroad' }).click()
    check((await heading(page)) === 'Record travel abroad', `the travel form (${label})`)
    await audit(page, `travel (${label})`)
    await page.getByRole('button', { name: 'Record travel' }).click()
    check(await page.locator('.govuk-error-summary').isVisible(), `an empty trip shows the error summary (${label})`)
    await audit(page, `travel error (${label})`)
    const leaves = new Date(Date.now() + 30 * 24 * 3600 * 1000)
    await page.locator('#departs-day').fill(String(leaves.getUTCDate()))
    await page.locator('#departs-month').fill(String(leaves.getUTCMonth() + 1))
    await page.locator('#departs-year').fill(String(leaves.getUTCFullYear()))
    await page.locator('#departs-time').fill('6:30am')
    await page.locator('#destination').fill('Exampleland')
    await page.getByRole('button', { name: 'Record travel' }).click()
    check((await page.locator('.govuk-notification-banner').innerText()).includes('Travel recorded'), `the trip is recorded (${label})`)
    await audit(page, `obligations after travel (${label})`)
    await page.context().close()
  }
}
