// The SQL under src/sql/ is embedded into src/core/sql/sql-assets.generated.ts (scripts/embed-sql.mjs): tests import
// src/ directly, so they make it current first, as `npm run build` does.
// @ts-expect-error: a plain .mjs build script without type declarations
import {embedSql} from '../scripts/embed-sql.mjs'

export default function setup(): void {
  embedSql()
}
