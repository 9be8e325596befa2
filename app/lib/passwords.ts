/**
 * Password quality shared by staff logins and portal users. Length alone lets through
 * "passwordpassword" and "123456789012": a password is also refused when it is a well-known
 * one, a well-known word with digits or symbols around it, one repeated character or a keyboard
 * or alphabet run.
 */

/** Staff passwords (admin, billing, viewer). */
export const STAFF_PASSWORD_MIN = 12
/** Portal users' passwords. */
export const PORTAL_PASSWORD_MIN = 10

// The most common passwords and base words of breach lists (lower case), long ones included
// because people pad short ones to reach a minimum length.
const COMMON = new Set(
  `password passw0rd p@ssword p@ssw0rd passwort motdepasse contraseña wachtwoord salasana lösenord 123456 1234567 12345678
  123456789 1234567890 12345678910 123123 123321 654321 111111 000000 121212 112233 666666 696969 123qwe qwerty qwertyuiop
  qwertz azerty asdfgh asdfghjkl zxcvbn zxcvbnm 1q2w3e4r 1q2w3e4r5t 1qaz2wsx qazwsx abc123 abcd1234 aa123456 a123456 iloveyou
  admin administrator root toor letmein welcome welcome1 login changeme default secret master monkey dragon shadow sunshine
  princess football baseball soccer hockey batman superman trustno1 starwars whatever freedom hello hellohello charlie
  michael jennifer jordan hunter ranger buster thomas robert daniel andrew joshua jessica ashley michelle nicole amanda
  summer winter spring autumn january february december monday friday london england chelsea liverpool arsenal
  manchester tottenham computer internet google samsung apple microsoft windows linux ubuntu oracle cisco telecom
  billing invoice tollgate reseller company business office support service customer manager account accounts finance
  access security secure private system server network database mysql mariadb test tester testing testtest demo guest
  user username temp temporary pass pass123 mypassword newpassword oldpassword yourpassword ourpassword
  letmein123 welcome123 password1 password12 password123 password1234 qwerty123 qwerty1234 iloveyou1 abc12345`
    .split(/\s+/)
    .filter(Boolean)
)

const KEYBOARD_ROWS = [
  '1234567890',
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  'abcdefghijklmnopqrstuvwxyz',
]

/** A run along a keyboard row or the alphabet, forwards or backwards, possibly repeated ("123456789012"). */
function isRun(text: string) {
  for (const row of KEYBOARD_ROWS) {
    for (const line of [row, [...row].reverse().join('')]) {
      const cycle = line.repeat(Math.ceil(text.length / line.length) + 2)
      if (cycle.includes(text)) return true
    }
  }
  return false
}

/**
 * Why a password is too easy to guess, or null. `context` holds words the password must not be
 * built from (the email address, the person's name).
 */
export function weakPasswordReason(password: string, context: string[] = []): string | null {
  const lower = password.toLowerCase()
  if (new Set(lower).size <= 2) return 'uses only one or two different characters'
  if (COMMON.has(lower)) return 'is one of the most common passwords'
  // Strip what people add around a common word: digits, symbols, repeats ("Password123!", "qwertyqwerty").
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '')
  if (core && COMMON.has(core)) return 'is a common password with a few characters added'
  for (const word of COMMON) {
    if (
      word.length >= 4 &&
      core.length > 0 &&
      core.replace(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), '') === ''
    )
      return 'is a common word repeated'
  }
  if (isRun(lower) || isRun(core)) return 'is a run of keys or letters'
  for (const word of context.map((w) => w.toLowerCase()).filter((w) => w.length >= 4)) {
    if (core === word || lower.includes(word)) return 'contains your email address or name'
  }
  return null
}
