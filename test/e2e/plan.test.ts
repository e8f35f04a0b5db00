import {describe, expect, it} from 'vitest'
import {runSbx, SUPABASE_BIN} from '../helpers/cli.js'
import {DROP_COLUMN_MIGRATION, INCIDENT_FILES, INCIDENT_MIGRATIONS} from '../helpers/incident-migrations.js'
import {gitProject, tmpProject} from '../helpers/project.js'

const env = {SBX_SUPABASE_BIN: SUPABASE_BIN}
const plan = (dir: string, ...args: string[]) => runSbx(['plan', ...args], {cwd: dir, env, timeoutMs: 180_000})

interface Obj {
  kind: string
  name: string
  table?: string
  qualified: string
}

describe('sbx plan on a project shaped like incident INF-015', () => {
  it('lists the migrations in order, with what each changes, its dependencies, and the checklist', async () => {
    const dir = tmpProject({...INCIDENT_MIGRATIONS, ...DROP_COLUMN_MIGRATION})
    const result = await plan(dir, '--format', 'json')
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    const files = report.migrations.map((m: {file: string}) => m.file)
    expect(files).toEqual([...Object.values(INCIDENT_FILES), '20260207090000_drop_legacy_note.sql'])
    const byFile = (file: string) => report.migrations.find((m: {file: string}) => m.file === file)

    const functions = byFile(INCIDENT_FILES.grw011Functions)
    expect(functions.dependsOn).toEqual([INCIDENT_FILES.grw011Tables])
    expect(functions.creates.map((o: Obj) => `${o.kind} ${o.name}`)).toEqual([
      'function assess_all_users_churn_risk',
      'function assess_churn_risk',
    ])
    expect(byFile(INCIDENT_FILES.sec014).alters).toEqual([])
    expect(byFile(INCIDENT_FILES.sec014).drops.map((o: Obj) => o.qualified)).toEqual([
      'public.production_metrics.admin all',
    ])
    expect(byFile(INCIDENT_FILES.com006).creates.map((o: Obj) => o.qualified)).toEqual(
      expect.arrayContaining(['public.conversations.archived', 'public.messages.messages_content_trgm']),
    )
    expect(byFile(INCIDENT_FILES.com006).creates.map((o: Obj) => o.kind)).toContain('extension')
    // SEC-014, COM-006, CTX-010 and SEC-006 need only the baseline (applied objects), not each other.
    for (const file of [INCIDENT_FILES.sec014, INCIDENT_FILES.com006, INCIDENT_FILES.ctx010, INCIDENT_FILES.sec006]) {
      expect(byFile(file).dependsOn.filter((dep: string) => dep !== INCIDENT_FILES.baseline)).toEqual([])
    }
    expect(byFile(INCIDENT_FILES.fixSearch).dependsOn).toEqual([INCIDENT_FILES.baseline])
    expect(byFile(INCIDENT_FILES.sec006).transaction).toBe(true)

    for (const file of Object.values(INCIDENT_FILES)) expect(byFile(file).destructive).toEqual([])
    const drop = byFile('20260207090000_drop_legacy_note.sql')
    expect(drop.destructive).toEqual(['alter table public.profiles drop column legacy_note;'.replace(/;$/, '')])
    expect(drop.drops.map((o: Obj) => o.qualified)).toEqual(['public.profiles.legacy_note'])

    // The report's post-deployment section.
    const checklist = new Set(report.checklist.map((o: Obj) => `${o.kind} ${o.qualified}`))
    for (const table of [
      'user_activity_log',
      'churn_risk_assessments',
      'retention_email_queue',
      'security_events',
      'security_alerts',
    ]) {
      expect(checklist).toContain(`table public.${table}`)
    }
    expect(checklist).toContain('column public.conversations.archived')
    expect(checklist).toContain('column public.document_chunks.metadata')
    for (const fn of ['assess_churn_risk', 'assess_all_users_churn_risk', 'log_user_activity']) {
      expect(report.checklist.some((o: Obj) => o.kind === 'function' && o.name === fn)).toBe(true)
    }
    expect(checklist).toContain('policy public.production_metrics.super_admin all')
    expect(checklist).toContain('policy public.production_metrics.tenant_admin scoped')
    expect(checklist).toContain('trigger public.security_events.security_events_alert')
    expect(checklist).toContain('index public.document_chunks.document_chunks_page')
    expect(checklist).not.toContain('column public.profiles.legacy_note')
    expect(report.renames).toEqual([])
  }, 300_000)

  it('markdown has the Mermaid edge from the tables to the functions, and nothing from the environment', async () => {
    const dir = gitProject({...INCIDENT_MIGRATIONS})
    const result = await plan(dir, '--format', 'markdown', '--db-url', 'postgresql://postgres:s3cret@127.0.0.1:1/none')
    // An unreachable database is an error (exit 5) with the password redacted.
    expect(result.exitCode).toBe(5)
    expect(result.stdout + result.stderr).not.toContain('s3cret')

    const md = await plan(dir, '--format', 'markdown')
    expect(md.exitCode, md.stderr).toBe(0)
    expect(md.stdout).toContain('```mermaid')
    expect(md.stdout).toContain('m20260207070000 --> m20260207080100')
    expect(md.stdout).not.toContain(dir)
    expect(md.stdout).toContain('None can lose data.')
  }, 300_000)

  it('--against REF lists only what the branch adds, with the renames sbx made to it', async () => {
    const base = Object.fromEntries(Object.entries(INCIDENT_MIGRATIONS).slice(0, 3))
    const dir = gitProject(base)
    const {git, writeTree} = await import('../helpers/project.js')
    git(dir, 'checkout', '-q', '-b', 'feature')
    writeTree(dir, Object.fromEntries(Object.entries(INCIDENT_MIGRATIONS).slice(3)))
    writeTree(dir, {
      'supabase/sbx-renames.jsonl': `${JSON.stringify({
        at: '2026-02-07T08:00:00Z',
        from: '20260207080000_grw011_churn_scoring_function.sql',
        to: INCIDENT_FILES.grw011Functions,
        reason: 'duplicate-version',
        kept: '20260207080000_fix_numeric_search.sql',
        sha256: 'x',
        by: {user: 'u', host: 'h', pid: 1, command: 'sbx fix'},
      })}\n`,
    })
    const result = await plan(dir, '--against', 'main', '--json')
    expect(result.exitCode, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.applied).toBe(3)
    expect(report.migrations.map((m: {file: string}) => m.file)).toEqual(Object.values(INCIDENT_FILES).slice(3))
    expect(report.renames).toMatchObject([{to: INCIDENT_FILES.grw011Functions, reason: 'duplicate-version'}])
  }, 300_000)
})
