// GOV.UK Frontend's one-line "js-enabled" snippet, as a file: the pages' CSP allows no inline
// script. Loaded (not deferred) at the start of <body>.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '')
