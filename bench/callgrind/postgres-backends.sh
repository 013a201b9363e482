#!/bin/bash
# Instructions the PostgreSQL backends spend per request of one case, counted by callgrind: the
# database's share of a PostgreSQL code exchange or refresh, steady where req/s drifts. From the
# project's root, after `npm run build`, as root on a machine with PostgreSQL's server binaries:
#
#   bash bench/callgrind/postgres-backends.sh code|refresh|introspection|me [requests] [connections] [setup.sql]
#   LOCALE=en_US.UTF-8 bash bench/callgrind/postgres-backends.sh code   # the cluster in that locale
#                       (as the official postgres image makes it; apt-get install locales, locale-gen)
#
# A private PostgreSQL cluster (initdb, in a temporary folder, on port 5499, run by the postgres
# user) runs under callgrind; the fixture (fixture.ts) is made there, setup.sql (if given) runs on
# it, and our server (dist/main.js, not under valgrind) takes <requests> requests from <connections>
# connections (50 by default, as `npm run bench`: the batches' sizes follow the connections). Our
# server's pool connects when the load starts and closes when the server stops; the backends that
# served it are the processes whose profiles are written after that, and their instructions are
# summed. Their start (some 20 million instructions each) is in the sum, the same for every build:
# compare builds with the same requests and connections, on a quiet machine. The same build gave
# 607,000 and 616,000 a code exchange in two runs; with CI running beside it, 721,000: the batches'
# size follows how fast our server is against the database, and the figure follows the batches
# (compare runs with similar transaction counts, printed at the end).
set -euo pipefail
kind=${1:?a case: code, refresh, introspection or me}
requests=${2:-3000}
connections=${3:-50}
setup=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cluster=$(mktemp -d)
port=5499
serverPort=39141
fixture=$cluster/fixture.json
chown postgres "$cluster"
pid=""
stop() {
  set +e
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  su postgres -c "$bin/pg_ctl -D $cluster/data stop -m immediate" >/dev/null 2>&1
  # Processes under valgrind write their profiles as they exit, after the postmaster's end.
  for _ in 1 2 3 4 5; do rm -rf "$cluster" 2>/dev/null && break; sleep 1; done
}
trap stop EXIT
export USER=${USER:-root} LOGNAME=${LOGNAME:-root}

su postgres -c "$bin/initdb -D $cluster/data --no-sync -A trust -U postgres ${LOCALE:+--locale=$LOCALE}" >/dev/null
# As the machine's own server is set here: autovacuum off keeps its work out of the count.
su postgres -c "cd $cluster && valgrind --tool=callgrind --callgrind-out-file=$cluster/backend.%p \
  $bin/postgres -D $cluster/data -p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$cluster \
  -c autovacuum=off -c shared_buffers=128MB >$cluster/postgres.log 2>&1 &"
for _ in $(seq 1 60); do psql -h 127.0.0.1 -p $port -U postgres -qAtc 'SELECT 1' postgres >/dev/null 2>&1 && break; sleep 1; done

codes=0
refresh=0
[[ $kind == code ]] && codes=$requests
[[ $kind == refresh ]] && refresh=$requests
BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres DATABASE=postgresql CODES=$codes REFRESH=$refresh \
  npx tsx "$here/fixture.ts" "$fixture"
database=$(node -p "require('$fixture').databaseUrl")
[[ -n $setup ]] && psql "$database" -q -f "$setup"
psql "$database" -qc 'VACUUM ANALYZE' -c 'CHECKPOINT'
# Transactions (the batched statements: one for many requests) tell the batches' mean size.
committed="SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
before=$(psql "$database" -qAtc "$committed")

touch "$cluster/start"
sleep 0.1
NODE_ENV=production PORT=$serverPort DATABASE_URL="$database" DATA_DIR="$cluster/server" LOG_LEVEL=info \
  SESSION_SECRET=callgrind-session-secret-0123456789abcdef AUTHORIZATION_CODE_LIFETIME=600 \
  node dist/main.js >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$serverPort/healthz" >/dev/null && break; sleep 0.5; done
CONNECTIONS=$connections node "$here/load.mjs" $serverPort "$kind" 0 "$requests" "$fixture"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
sleep 2
transactions=$(($(psql "$database" -qAtc "$committed") - before - 1))

total=0
backends=0
for profile in $(find "$cluster" -maxdepth 1 -name 'backend.*' -newer "$cluster/start"); do
  count=$(awk '/^(summary|totals):/ { print $2; exit }' "$profile")
  total=$((total + ${count:-0}))
  backends=$((backends + 1))
done
echo "$kind: $((total / requests)) instructions a request in $backends PostgreSQL backends ($requests requests from $connections connections, $transactions transactions)"
