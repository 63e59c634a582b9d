// Progressive enhancement only: every page works without this file.
import { initAll } from './govuk-frontend.min.js'
import { initAll as initMoj } from './moj-frontend.min.js'

initAll()
initMoj()
