#!/bin/bash
# extra.sh BIN TAG: the correctness runs of PERFORMANCE.md's summary (race, idempotency, startup)
bin=$1; tag=$2; res=${BENCH_DIR:?set BENCH_DIR: see docs/PERFORMANCE.md, "The goals measured on a quiet machine"}/res-$tag; mkdir -p $res; B=${BENCH_DIR:?set BENCH_DIR: see docs/PERFORMANCE.md, "The goals measured on a quiet machine"}
d=$(mktemp -d /tmp/meas.XXXX); cp $B/seed8.db $d/load.db
echo "== extra $tag $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >>$res/summary
$bin/atelier-load startup --bin $bin/atelier --config $B/load8.yaml --db $d/load.db >$res/startup.txt 2>&1; tail -5 $res/startup.txt >>$res/summary
$bin/atelier-load startup --bin $bin/atelier --config $B/load8.yaml >$res/startup-new.txt 2>&1; tail -5 $res/startup-new.txt >>$res/summary
$bin/atelier --config $B/load8.yaml --db $d/load.db --addr 127.0.0.1:18415 2>>$res/server.log & spid=$!
until curl -sf http://127.0.0.1:18415/healthz >/dev/null; do sleep 0.1; done
echo "-- race load $(cut -d' ' -f1 /proc/loadavg)" >>$res/summary
$bin/atelier-load race --url http://127.0.0.1:18415 --clients 200 --slots 20 --rounds 6 >$res/race.txt 2>&1; echo "exit $?" >>$res/race.txt; tail -6 $res/race.txt >>$res/summary
echo "-- idempotency load $(cut -d' ' -f1 /proc/loadavg)" >>$res/summary
$bin/atelier-load idempotency --url http://127.0.0.1:18415 --clients 50 --rounds 5 >$res/idem.txt 2>&1; echo "exit $?" >>$res/idem.txt; tail -4 $res/idem.txt >>$res/summary
kill -TERM $spid; wait $spid; rm -rf $d
echo "== extra end $(date -u +%H:%M:%S)" >>$res/summary
