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
//        BROWSER_FLOWS=90 … runs only flows/*90*.mjs
// Each file in flows/ (in name order) is one role's flows; lib.mjs is what they share.
import fs from 'node:fs'
import { browser, failures } from './lib.mjs'

const dir = new URL('./flows/', import.meta.url)
// BROWSER_FLOWS=90 (a part of the file name) runs only the matching files, while working on them.
const only = process.env.BROWSER_FLOWS || ''
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.mjs') && f.includes(only)).sort()) {
  console.log(`== ${file}`)
  const flow = await import(new URL(file, dir))
  await flow.default()
}

await browser.close()
if (failures.length) {
  console.log(`\n${failures.length} problem(s)`)
  process.exit(1)
}
console.log('\nbrowser suite: all checks passed')
