#!/usr/bin/env bash
# A guided run of sbx on a throwaway project: parallel creation, a collision made the way supabase makes
# them, check / fix / log, verify, and a push to the embedded database. Leaves the project for a look.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
sbx() { node "$repo/bin/run.js" "$@"; }
demo="${1:-$(mktemp -d -t sbx-demo-XXXXXX)}"
mkdir -p "$demo/supabase" && cd "$demo"
[ -f supabase/config.toml ] || echo 'project_id = "sbx-demo"' > supabase/config.toml
git init -q -b main 2>/dev/null || true
export SBX_SUPABASE_BIN="$repo/node_modules/.bin/supabase" SUPABASE_NO_UPDATE_NOTIFIER=1

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step "10 × sbx migration new, in parallel"
for i in $(seq 1 10); do echo "create table t$i (id bigint primary key);" | sbx migration new "table $i" >/dev/null & done; wait
ls supabase/migrations

step "2 × supabase migration new, in parallel (the real CLI: current second, no lock, no check)"
supabase="$repo/node_modules/.bin/supabase"
"$supabase" migration new from_supabase_a </dev/null >/dev/null & "$supabase" migration new from_supabase_b </dev/null >/dev/null & wait
ls supabase/migrations | tail -4

step "sbx check"; sbx check || echo "(exit $?)"
step "sbx fix"; sbx fix
step "sbx log"; sbx log
step "sbx verify"; sbx verify
step "sbx push   # the embedded database, no Docker"; sbx push
step "sbx push   # again"; sbx push
printf '\nThe demo project is in %s\n' "$demo"
