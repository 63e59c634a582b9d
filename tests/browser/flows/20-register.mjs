// A public protection officer registers a person through the pages (task list, question pages
// with add-another rows, check answers, the duplicate interruption card, confirmation), adds a
// stalking protection order with its prohibitions, requirements and protected person, records
// its service and sees when the initial notification is due; then adds an identifier on the
// personal details tab. With JavaScript, without it, and at 320 px; axe on every page, error
// states included.
import { audit, BASE, check, heading, nav, newPage, signIn, shot, VARIANTS } from '../lib.mjs'

// A date n days ago in Europe/London, as the three boxes of a GOV.UK date input.
function daysAgo (n) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric' })
    .formatToParts(new Date(Date.now() - n * 86400000))
  const get = (type) => parts.find((p) => p.type === type).value
  return { day: get('day'), month: get('month'), year: get('year') }
}

async function fillDate (page, id, date) {
  await page.locator(`#${id}-day`).fill(date.day)
  await page.locator(`#${id}-month`).fill(date.month)
  await page.locator(`#${id}-year`).fill(date.year)
}

const text = async (page) => await page.locator('main').innerText()

export default async function () {
let run = 0
for (const [js, width] of VARIANTS) {
  const label = `js=${js} width=${width}`
  console.log(`flow: register a person, add an SPO, record service (${label})`)
  const page = await newPage({ js, width })
  await signIn(page, 'Public protection officer, met')

  // Find first; "Not found? Add a registrant".
  await nav(page, 'Find a registrant')
  await page.locator('#family').fill('Registerflow')
  await page.locator('#given').fill('Ruth')
  await page.getByLabel('Why are you searching?').selectOption('OFFENDER_MANAGEMENT')
  await page.getByRole('button', { name: 'Search' }).click()
  await page.getByRole('link', { name: 'Add a registrant' }).click()
  check((await heading(page)) === 'Add a registrant', `the start page opens from Find (${label})`)
  await audit(page, `add a registrant: start (${label})`)
  await page.getByRole('button', { name: 'Start' }).click()
  check(await page.locator('.govuk-task-list').isVisible(), `the task list (${label})`)
  await audit(page, `add a registrant: task list (${label})`)
  await shot(page, 'register-task-list')

  // Names, with an error first, and another name added without any script.
  await page.getByRole('link', { name: 'Names' }).click()
  await audit(page, `names (${label})`)
  // Neither a given nor a family name (someone known by one name needs only one of them).
  await page.getByRole('button', { name: 'Save and continue' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `a name with neither part: the error summary (${label})`)
  await audit(page, `names error (${label})`)
  await page.locator('#names-0-given').fill('Ruth')
  await page.locator('#names-0-family').fill('Registerflow')
  await page.getByRole('button', { name: 'Add another name' }).click()
  check(await page.locator('#names-1-family').isVisible(), `another name row (${label})`)
  await page.locator('#names-1-kind').check()
  await page.locator('#names-1-given').fill('Ruthie')
  await page.locator('#names-1-family').fill('Flow')
  await audit(page, `names with another (${label})`)
  await page.getByRole('button', { name: 'Save and continue' }).click()
  check((await page.locator('#names-status').innerText()).includes('Completed'), `names completed (${label})`)

  await page.getByRole('link', { name: 'Dates of birth' }).click()
  await fillDate(page, 'dates-0', { day: '12', month: '5', year: '1979' })
  await audit(page, `dates of birth (${label})`)
  await page.getByRole('button', { name: 'Save and continue' }).click()

  await page.getByRole('link', { name: 'Addresses' }).click()
  await page.locator('#addresses-0-line1').fill('4 Register Lane')
  await page.locator('#addresses-0-postcode').fill('not a postcode')
  await page.getByRole('button', { name: 'Save and continue' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `a bad postcode: the error summary (${label})`)
  await audit(page, `addresses error (${label})`)
  await page.locator('#addresses-0-postcode').fill('LS2 7HY')
  await page.getByRole('button', { name: 'Save and continue' }).click()

  await page.getByRole('link', { name: 'Identifiers' }).click()
  await page.locator('#identifiers-0-kind').selectOption('phone')
  await page.locator('#identifiers-0-value').fill(`07700 90081${run}`)
  await page.getByRole('button', { name: 'Add another identifier' }).click()
  check(await page.locator('#identifiers-1-value').isVisible(), `another identifier row (${label})`)
  await audit(page, `identifiers (${label})`)
  await page.getByRole('button', { name: 'Save and continue' }).click()

  await page.getByRole('link', { name: 'Management and risk' }).click()
  await page.locator('#officer').fill('DC Flow')
  await page.locator('#risk').selectOption('high')
  await audit(page, `management (${label})`)
  await page.getByRole('button', { name: 'Save and continue' }).click()

  await page.getByRole('link', { name: 'Check answers and add' }).click()
  const answers = await text(page)
  check(answers.includes('Ruth Registerflow') && answers.includes('Ruthie Flow (alias)') && answers.includes('LS2 7HY'), `check answers shows the answers (${label})`)
  await audit(page, `check answers (${label})`)
  await shot(page, 'register-check-answers')
  await page.getByRole('button', { name: 'Add registrant' }).click()
  // Earlier runs added the same person: from the second run on, the interruption card.
  const card = page.locator('.moj-interruption-card')
  if (run > 0) check(await card.count() > 0, `the duplicate card appears when the person is already there (${label})`)
  if (await card.count() > 0) {
    check(await page.getByRole('link', { name: /Go to the existing record/ }).first().isVisible(), `the card links the existing record (${label})`)
    await audit(page, `possible duplicate (${label})`)
    if (run === 1) await shot(page, 'register-duplicate')
    await page.getByRole('button', { name: 'Continue anyway' }).click()
  }
  check((await page.locator('.govuk-panel__title').innerText()).includes('Registrant added'), `the confirmation panel (${label})`)
  const reference = (await page.locator('.govuk-panel__body strong').innerText()).trim()
  check(reference.length > 0, `the confirmation gives the reference (${label})`)
  await audit(page, `registrant added (${label})`)

  // The record asks why first, then the orders tab offers "Add an order".
  await page.getByRole('link', { name: 'View their record' }).click()
  check(page.url().includes('/why?'), `the record asks why (${label})`)
  await page.getByLabel('Managing this registrant (case management, MAPPA)').check()
  await page.getByRole('button', { name: 'Continue' }).click()
  check((await text(page)).includes(reference), `the new record opens (${label})`)
  await page.locator('.moj-sub-navigation').getByRole('link', { name: 'Orders' }).click()
  await page.getByRole('button', { name: 'Add an order' }).or(page.getByRole('link', { name: 'Add an order' })).first().click()
  check((await heading(page)) === 'Add an order', `add an order opens (${label})`)
  await audit(page, `add an order (${label})`)
  await page.getByRole('button', { name: 'Add order' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `an empty order: the error summary (${label})`)
  await audit(page, `add an order error (${label})`)
  await page.locator('#kind').check()
  await page.locator('#court').fill('Leeds Magistrates Court')
  await page.locator('#case_reference').fill(`LM/${run}/2026`)
  await fillDate(page, 'made_on', daysAgo(2))
  await page.locator('#until_further_order').check()
  // The empty rows went with the error: add the first prohibition again.
  await page.getByRole('button', { name: 'Add a prohibition' }).click()
  await page.locator('#prohibitions-0-category').selectOption('no_contact')
  await page.locator('#prohibitions-0-text').fill('Not to contact Pat Protected directly or indirectly')
  await page.getByRole('button', { name: 'Add another prohibition' }).click()
  await page.locator('#prohibitions-1-category').selectOption('exclusion_zone')
  await page.locator('#prohibitions-1-text').fill('Not to enter the area marked on the map')
  await page.getByRole('button', { name: 'Add a requirement' }).click()
  await page.locator('#requirements-0-category').selectOption('attend_appointments')
  await page.locator('#requirements-0-text').fill('Attend appointments with the stalking intervention service')
  await page.getByRole('button', { name: 'Add a protected person' }).click()
  await page.locator('#persons-0-given').fill('Pat')
  await page.locator('#persons-0-family').fill('Protected')
  await audit(page, `add an order, filled in (${label})`)
  await page.getByRole('button', { name: 'Add order' }).click()
  const order = await text(page)
  check(order.includes('Order added') && order.includes('Prohibition 2') && order.includes('Pat Protected') && !order.includes('Initial notification due'), `the order page (${label})`)
  await audit(page, `order (${label})`)

  await page.getByRole('button', { name: 'Record service' }).or(page.getByRole('link', { name: 'Record service' })).first().click()
  check((await heading(page)) === 'Record service', `record service opens (${label})`)
  await audit(page, `record service (${label})`)
  await page.getByRole('button', { name: 'Record service' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `service without a date: the error summary (${label})`)
  await audit(page, `record service error (${label})`)
  await fillDate(page, 'served_on', daysAgo(1))
  await page.getByRole('button', { name: 'Record service' }).click()
  const inset = page.locator('#initial-notification')
  check(await inset.isVisible() && (await inset.innerText()).includes('(3 days beginning with the day of service)'), `the initial notification due date after service (${label})`)
  check((await text(page)).includes('Service recorded'), `the success banner (${label})`)
  await audit(page, `order served (${label})`)
  await shot(page, 'order-page')

  // The court varies the order: the exclusion zone goes. The hearing is recorded, the page
  // shows the new terms, what was removed and the court history.
  await page.getByRole('button', { name: 'Record a variation or renewal' }).or(page.getByRole('link', { name: 'Record a variation or renewal' })).first().click()
  check((await heading(page)) === 'Record a variation or renewal', `vary or renew opens (${label})`)
  await audit(page, `vary or renew (${label})`)
  await page.getByRole('button', { name: 'Record the hearing' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `an empty hearing: the error summary (${label})`)
  await audit(page, `vary or renew error (${label})`)
  await page.locator('#kind').check()
  await page.locator('#court').fill('Leeds Magistrates Court')
  await page.locator('#case_reference').fill(`LM/${run}/2026/V`)
  await fillDate(page, 'heard_on', daysAgo(0))
  await page.locator('#reason').fill('The exclusion zone is no longer needed.')
  await page.getByLabel(/Exclusion zone: Not to enter/).check()
  await page.getByRole('button', { name: 'Record the hearing' }).click()
  const varied = await text(page)
  check(varied.includes('Variation recorded') && varied.includes('Court history') && varied.includes('Conditions the court removed'), `the varied order (${label})`)
  await audit(page, `varied order (${label})`)

  // Personal details: add an identifier.
  await page.locator('.moj-sub-navigation').getByRole('link', { name: 'Personal details' }).click()
  check((await text(page)).includes('4 Register Lane'), `personal details (${label})`)
  await audit(page, `personal details (${label})`)
  await page.getByRole('link', { name: 'Add an identifier' }).click()
  await page.getByRole('button', { name: 'Save' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `an empty identifier: the error summary (${label})`)
  await audit(page, `add an identifier error (${label})`)
  await page.locator('#identifiers-0-kind').selectOption('online_handle')
  await page.locator('#identifiers-0-platform').fill('instagram')
  await page.locator('#identifiers-0-value').fill(`@registerflow${run}`)
  await page.getByRole('button', { name: 'Save' }).click()
  check((await text(page)).includes('Identifier added'), `identifier added (${label})`)
  await audit(page, `personal details after adding (${label})`)

  // Correct the address (a reason is needed), then end it.
  await page.getByRole('link', { name: /^Correct address/ }).first().click()
  check((await heading(page)) === 'Correct an address', `correct an address opens (${label})`)
  await audit(page, `correct an address (${label})`)
  await page.getByRole('button', { name: 'Correct address' }).click()
  check(await page.locator('.govuk-error-summary').isVisible(), `a correction without a reason: the error summary (${label})`)
  await audit(page, `correct an address error (${label})`)
  await page.locator('#addresses-0-line2').fill('Flat 1')
  await page.locator('#reason').fill('The flat number was missing.')
  await page.getByRole('button', { name: 'Correct address' }).click()
  check((await text(page)).includes('Address corrected') && (await text(page)).includes('Flat 1'), `address corrected (${label})`)
  await page.getByRole('link', { name: /^End address/ }).first().click()
  check((await heading(page)) === 'End an address', `end an address opens (${label})`)
  await audit(page, `end an address (${label})`)
  await fillDate(page, 'valid_to', daysAgo(0))
  await page.getByRole('button', { name: 'End address' }).click()
  check((await text(page)).includes('Address ended'), `address ended (${label})`)
  await audit(page, `address ended (${label})`)
  await page.context().close()
  run += 1
}
}
