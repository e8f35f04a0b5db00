import {describe, expect, it} from 'vitest'
import {renderConflict, renderSync, type SyncOutcome} from '../../src/render/sync.js'

const empty: SyncOutcome = {
  target: 'the embedded database',
  dryRun: false,
  adopted: [],
  fetched: [],
  renames: [],
  conflicts: [],
  remaining: [],
}

describe('renderSync', () => {
  it('says so when there is nothing to do', () => {
    expect(renderSync(empty)).toBe('In sync with the embedded database.')
  })

  it('a dry run says "would" and that nothing changed', () => {
    const text = renderSync({
      ...empty,
      dryRun: true,
      adopted: [{from: '20260101000000_a.sql', to: '20260301000000_a.sql', reason: 'adopt-applied-version'}],
      fetched: [{file: '20260302000000_b.sql', version: '20260302000000'}],
    })
    expect(text.split('\n')).toEqual([
      'would rename 20260101000000_a.sql → 20260301000000_a.sql (the database applied its SQL as that version)',
      'would write 20260302000000_b.sql (from the statements recorded in the embedded database)',
      'Dry run: nothing was changed.',
    ])
  })
})

describe('renderConflict', () => {
  it('names every version and file of an ambiguous match', () => {
    const text = renderConflict({kind: 'ambiguous-match', versions: ['1', '2'], files: ['1_a.sql', '3_b.sql']})
    expect(text).toContain('versions 1, 2 and 1_a.sql, 3_b.sql hold the same SQL')
  })
})
