/** A database URL as it may be shown: the password replaced, everything else kept for diagnosis. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')
  }
}

/** Removes every occurrence of the URL's password from free text (error messages, child output). */
export function redactSecrets(text: string, url: string | undefined): string {
  if (!url) return text
  let password = ''
  try {
    password = decodeURIComponent(new URL(url).password)
  } catch {
    password = /\/\/[^:/@]+:([^@]*)@/.exec(url)?.[1] ?? ''
  }
  if (!password) return text
  return text.split(url).join(redactUrl(url)).split(password).join('***')
}
