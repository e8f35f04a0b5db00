/**
 * Size limits that keep src/ readable (issue 20): no function over 120 lines, no template literal over 60 lines
 * (long SQL belongs in src/sql/ as data). Read with the TypeScript compiler's own parser, so a function is what
 * TypeScript says it is: declarations, methods, arrows and function expressions alike.
 */
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'
import {REPO_ROOT} from '../helpers/cli.js'

const MAX_FUNCTION_LINES = 120
const MAX_TEMPLATE_LINES = 60

function sources(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return sources(file)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.generated.ts') ? [file] : []
  })
}

interface Oversize {
  where: string
  lines: number
}

function measure(file: string): {functions: Oversize[]; templates: Oversize[]} {
  const text = fs.readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const functions: Oversize[] = []
  const templates: Oversize[] = []
  const lines = (node: ts.Node) =>
    source.getLineAndCharacterOfPosition(node.getEnd()).line -
    source.getLineAndCharacterOfPosition(node.getStart(source)).line +
    1
  const where = (node: ts.Node) =>
    `${path.relative(REPO_ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const count = lines(node)
      if (count > MAX_FUNCTION_LINES) functions.push({where: where(node), lines: count})
    }
    if (ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const count = lines(node)
      if (count > MAX_TEMPLATE_LINES) templates.push({where: where(node), lines: count})
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return {functions, templates}
}

describe('sizes in src/', () => {
  const measured = sources(path.join(REPO_ROOT, 'src')).map(measure)

  it(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    expect(measured.flatMap((m) => m.functions)).toEqual([])
  })

  it(`no template literal is longer than ${MAX_TEMPLATE_LINES} lines`, () => {
    expect(measured.flatMap((m) => m.templates)).toEqual([])
  })

  it('the measure sees a long function and a long template (it can fail)', () => {
    const probe = path.join(REPO_ROOT, 'test', 'lint', '.size-probe.ts')
    const body = Array.from({length: MAX_FUNCTION_LINES}, (_, i) => `  const v${i} = ${i}`).join('\n')
    const sql = Array.from({length: MAX_TEMPLATE_LINES + 1}, (_, i) => `select ${i};`).join('\n')
    fs.writeFileSync(probe, `export function long() {\n${body}\n}\nexport const q = \`\n${sql}\n\`\n`)
    try {
      const {functions, templates} = measure(probe)
      expect(functions).toHaveLength(1)
      expect(templates).toHaveLength(1)
    } finally {
      fs.rmSync(probe)
    }
  })
})
