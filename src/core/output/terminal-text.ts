/**
 * Text from outside sources (names and messages read from a database, supabase's output, file names) reaches a
 * terminal only through here: a name such as `\e[2J\e[31mFAKE ok` must show as those characters, never clear
 * the screen or forge an "ok" line. Line breaks and tabs stay (sbx's own output is made of lines); every other
 * C0 control, DEL and the C1 controls (U+0080–U+009F: U+009B is a one-character CSI on many terminals) are
 * written as JSON escapes. Pure.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/gu

export function terminalText(text: string): string {
  return text.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
