#!/bin/bash
# seed.sh BIN CONFIG OUTDB PORT: seed 10000 bookings over 62 days, drain the mail, stop.
set -e
bin=$1; cfg=$2; out=$3; port=$4
d=$(mktemp -d /tmp/seed.XXXX); cd $d
$bin/atelier --config $cfg --db load.db --addr 127.0.0.1:$port 2>server.log & pid=$!
until curl -sf http://127.0.0.1:$port/healthz >/dev/null; do sleep 0.2; done
$bin/atelier-load seed --url http://127.0.0.1:$port --bookings 10000 --days 62 --timeout 20m
for i in $(seq 1 600); do
  n=$(sqlite3 -readonly load.db "SELECT count(*) FROM jobs WHERE state = 'pending' AND run_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
  [ "$n" = 0 ] && break; sleep 1
done
echo "due jobs left: $n"
kill -TERM $pid; wait $pid || true
cp load.db $out; [ -f load.db-wal ] && cp load.db-wal $out-wal || true
echo seeded $out
