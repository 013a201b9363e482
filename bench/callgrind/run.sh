#!/bin/bash
# Instructions per request of one case, counted by callgrind (valgrind): steady where req/s on these
# shared machines drifts by a third within minutes. From the project's root, after `npm run build`:
#
#   bash bench/callgrind/run.sh introspection|me|code|refresh|bare-get|bare-post [requests] [warm-up requests]
#   DATABASE=postgresql bash bench/callgrind/run.sh code   # our server on PostgreSQL (BENCH_POSTGRES_URL)
#
# The server (dist/main.js on a throwaway database from fixture.ts, or bare.mjs) runs under
# callgrind with counting off; after the warm-up, counting is on for the measured requests only.
# Prints the instructions per request, in all and without V8's background compilation (TurboFan
# still compiles for tens of thousands of requests under valgrind), and leaves the profile, its JIT
# frames named from `node --perf-basic-prof`'s map, in /tmp/callgrind-<case>.out. Then:
#   callgrind_annotate --inclusive=yes /tmp/callgrind-introspection.out | less
#   python3 bench/callgrind/tree.py /tmp/callgrind-introspection.out <requests> accessLine_
#   python3 bench/callgrind/diff.py <a.out> <requests> <b.out> <requests> [inclusive]
set -euo pipefail
kind=${1:?a case: introspection, me, code, refresh, bare-get or bare-post}
requests=${2:-4000}
warmup=${3:-30000}
here=$(dirname "$0")
port=39140
fixture=/tmp/callgrind-fixture.json
work=$(mktemp -d)
database=""
# The fixture's throwaway database goes when the run ends, as the server does.
drop_database() {
  case $database in
  file:*) rm -rf "$(dirname "${database#file:}")" ;;
  postgresql:*)
    name=$(node -p "new URL('$database').pathname.slice(1)")
    psql "${BENCH_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" ;;
  esac
}
pid=""
trap 'set +e; [[ -n $pid ]] && kill -9 $pid 2>/dev/null && wait $pid 2>/dev/null; drop_database; rm -rf "$work"' EXIT
# vgdb finds the server by the user and host names in its pipes' names; HOST is also the server's.
export USER=${USER:-root} LOGNAME=${LOGNAME:-root} HOST=127.0.0.1

if [[ $kind == bare-* ]]; then
  server=("$here/bare.mjs")
  env=(PORT=$port)
else
  codes=0
  refresh=0
  [[ $kind == code ]] && codes=$((requests + warmup))
  [[ $kind == refresh ]] && refresh=$((requests + warmup))
  DATABASE=${DATABASE:-sqlite} CODES=$codes REFRESH=$refresh npx tsx "$here/fixture.ts" "$fixture"
  database=$(node -p "require('$fixture').databaseUrl")
  server=(dist/main.js)
  env=(NODE_ENV=production PORT=$port DATABASE_URL="$database" DATA_DIR="$work/data" LOG_LEVEL=info
    SESSION_SECRET=callgrind-session-secret-0123456789abcdef AUTHORIZATION_CODE_LIFETIME=600)
fi

env "${env[@]}" valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/out.%p" \
  node --perf-basic-prof "${server[@]}" >/dev/null 2>"$work/valgrind.log" &
pid=$!
ready=${server[0]##*/}
for _ in $(seq 1 120); do
  if [[ $ready == bare.mjs ]]; then curl -sf "http://127.0.0.1:$port/" >/dev/null && break
  else curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; fi
  sleep 1
done

node "$here/load.mjs" $port "$kind" 0 "$warmup" "$fixture"
callgrind_control -i on $pid >/dev/null
node "$here/load.mjs" $port "$kind" "$warmup" "$requests" "$fixture"
callgrind_control -i off $pid >/dev/null
callgrind_control -d $pid >/dev/null
sleep 1
kill $pid
wait $pid 2>/dev/null || true

profile=$(ls -S "$work"/out.* | head -1)
python3 "$here/names.py" "$profile" "/tmp/perf-$pid.map" >"/tmp/callgrind-$kind.out"
rm -f "/tmp/perf-$pid.map"
total=$(callgrind_annotate "/tmp/callgrind-$kind.out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }')
compile=$(callgrind_annotate --inclusive=yes "/tmp/callgrind-$kind.out" 2>/dev/null |
  awk '/CompileTask::RunInternal/ && !done { gsub(",", "", $1); print $1; done = 1 }')
echo "$kind: $((total / requests)) instructions a request, $(((total - ${compile:-0}) / requests)) without TurboFan's compilation ($requests requests after $warmup)"
echo "profile: /tmp/callgrind-$kind.out"
