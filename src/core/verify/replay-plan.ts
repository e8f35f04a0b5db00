/**
 * How supabase 3.1 runs one migration file's statements (read from the CLI's bundle and checked against the binary), so that a
 * replay fails exactly where `supabase db push` would:
 *
 * - By default the statements and the history row go in one implicit transaction, except that statements
 *   PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM…) run alone and split the file
 *   into several transactions; the history row goes with the last one.
 * - A file that manages transactions itself (BEGIN, COMMIT…), or whose first line is
 *   `-- pg-delta: transaction=false`, runs one statement at a time, the history row last.
 */
import {stripLeadingComments, type TransactionMode} from '../sql/sql-statements.js'

export interface ReplayStep {
  /** Indexes into the file's statements, run in order. */
  statements: number[]
  /** Whether the step is one transaction (a failure undoes the whole step). */
  transaction: boolean
  /** Whether the step ends by inserting the file's row into supabase_migrations.schema_migrations. */
  recordsHistory: boolean
}

export interface ReplayPlan {
  mode: 'transactional' | 'autocommit'
  /** Why a file runs in autocommit mode, for messages. */
  reason?: string
  steps: ReplayStep[]
}

const NON_TRANSACTIONAL = [
  /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY(?:\s|$)/u,
  /^DROP\s+INDEX\s+CONCURRENTLY(?:\s|$)/u,
  /^REINDEX(?:\s|\().*\sCONCURRENTLY(?:\s|$)/u,
  /^VACUUM(?:\s|\(|$)/u,
  /^ALTER\s+SYSTEM(?:\s|$)/u,
  /^CLUSTER(?:\s|$)/u,
]
const TRANSACTION_CONTROL = /^(?:BEGIN|START\s+TRANSACTION|COMMIT|END|ABORT|PREPARE\s+TRANSACTION)(?:\s|$)/u

/** A statement supabase runs on its own, outside the file's transaction. */
export function isNonTransactional(statement: string): boolean {
  const head = stripLeadingComments(statement).toUpperCase()
  return NON_TRANSACTIONAL.some((pattern) => pattern.test(head))
}

/** A statement that opens or ends a transaction (ROLLBACK TO a savepoint does not count). */
export function isTransactionControl(statement: string): boolean {
  const head = stripLeadingComments(statement).toUpperCase()
  const words = head.split(/\s+/u)
  if (words[0] === 'ROLLBACK') {
    const next = words[1] === 'WORK' || words[1] === 'TRANSACTION' ? 2 : 1
    return words[next] !== 'TO'
  }
  return TRANSACTION_CONTROL.test(head)
}

/**
 * False when `text` certainly runs in one transaction: it holds no word a transaction-control statement starts
 * with and no pg-delta marker. Saves splitting the file (push journals 200 plain files in 3 ms instead of 60).
 */
export function mayRunInAutocommit(text: string): boolean {
  return /\b(?:begin|start|commit|end|abort|prepare|rollback)\b|pg-delta/iu.test(text)
}

export function planReplay(file: {statements: readonly string[]; transactionMode: TransactionMode}): ReplayPlan {
  const {statements} = file
  const controlIndex = statements.findIndex(isTransactionControl)
  if (file.transactionMode === 'none' || controlIndex >= 0) {
    const reason =
      file.transactionMode === 'none'
        ? 'its first line is "-- pg-delta: transaction=false"'
        : `statement ${controlIndex} controls the transaction itself`
    return {
      mode: 'autocommit',
      reason,
      steps: [
        ...statements.map((_, index) => ({statements: [index], transaction: false, recordsHistory: false})),
        {statements: [], transaction: false, recordsHistory: true},
      ],
    }
  }
  const steps: ReplayStep[] = []
  let batch: number[] = []
  statements.forEach((statement, index) => {
    if (!isNonTransactional(statement)) {
      batch.push(index)
      return
    }
    if (batch.length > 0) steps.push({statements: batch, transaction: true, recordsHistory: false})
    batch = []
    steps.push({statements: [index], transaction: false, recordsHistory: false})
  })
  steps.push({statements: batch, transaction: true, recordsHistory: true})
  return {mode: 'transactional', steps}
}
