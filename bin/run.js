#!/usr/bin/env node
// Plain `migration new` and `push` calls skip oclif's start-up (src/fast-path.ts, bundled into one file at
// build, and src/fast-path-push.ts); everything else goes straight to oclif without loading either.
const argv = process.argv.slice(2)
const [topic, command] = argv
// sbx watch runs for hours: its young generation must not grow, and this is the earliest moment (src/shell/heap.ts).
if (topic === 'watch') (await import('node:v8')).default.setFlagsFromString('--semi-space-growth-factor=1')
// sbx push starts its deploy guardian now, so that the guardian's start overlaps oclif's (src/shell/deploy/deploy-guardian.ts).
const help = argv.includes('--help') || argv.includes('-h')
if (topic === 'push' && !help && !argv.includes('--linked'))
  (await import('../dist/shell/deploy/deploy-guardian.js')).prewarmGuardian()
const fast =
  topic === 'migration' && command === 'new'
    ? await import('../dist/fast-path.bundle.js')
    : topic === 'push'
      ? await import('../dist/fast-path-push.js')
      : undefined
if (!(await fast?.runFastPath(argv))) {
  // oclif answers `--help` for a command it does not have with "command not found" before any hook runs:
  // `sbx link --help` must show supabase's help, as `sbx link` runs supabase's link.
  const {readFileSync} = await import('node:fs')
  const manifest = JSON.parse(readFileSync(new URL('../oclif.manifest.json', import.meta.url), 'utf8'))
  const topics = new Set(Object.keys(manifest.commands).map((id) => id.split(':')[0]))
  if (help && topic && !topic.startsWith('-') && !topics.has(topic)) {
    const {runPassThrough} = await import('../dist/hooks/pass-through.js')
    await runPassThrough(argv, [...topics])
  } else {
    const {execute} = await import('@oclif/core')
    await execute({dir: import.meta.url})
  }
}
