import { audit, BASE, check, heading, nav, newPage, OUT, signIn, shot, VARIANTS } from '../lib.mjs'
import path from 'node:path'

export default async function () {
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

}
