#!/bin/bash
# measure.sh BIN TAG: issue 18's goal measurements of the binaries in BIN; results in $BENCH_DIR/res-TAG/summary
bin=$1; tag=$2; res=${BENCH_DIR:?set BENCH_DIR: see docs/PERFORMANCE.md, "The goals measured on a quiet machine"}/res-$tag; mkdir -p $res; B=${BENCH_DIR:?set BENCH_DIR: see docs/PERFORMANCE.md, "The goals measured on a quiet machine"}
start_server() { # cfg db port
  $bin/atelier --config $1 --db $2 --addr 127.0.0.1:$3 2>>$res/server.log & spid=$!
  until curl -sf http://127.0.0.1:$3/healthz >/dev/null; do sleep 0.1; done
}
stop_server() { kill -TERM $spid; wait $spid 2>/dev/null; }
fresh() { d=$(mktemp -d /tmp/meas.XXXX); cp $1 $d/load.db; [ -f $1-wal ] && cp $1-wal $d/load.db-wal; echo $d/load.db; }
echo "== $tag $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a $res/summary
# 1. bare, no server running
for r in 1 2 3; do
  echo "-- bare $r load $(cut -d' ' -f1 /proc/loadavg)" >>$res/summary
  (cd /tmp && $bin/load.test -test.run XXX -test.bench 'EndpointVsBare/bare' -test.benchtime 3000x -test.cpu 16 2>&1 | grep -E 'bookings/s' >>$res/summary)
  # 2. endpoint: fresh database, 1500 bookings, 16 clients
  d=$(mktemp -d /tmp/meas.XXXX)
  start_server $B/load8.yaml $d/load.db 18411
  echo "-- endpoint $r load $(cut -d' ' -f1 /proc/loadavg)" >>$res/summary
  t0=$(awk '{print $14+$15}' /proc/$spid/stat)
  $bin/atelier-load seed --url http://127.0.0.1:18411 --bookings 1500 --concurrency 16 2>&1 | grep made >>$res/summary
  t1=$(awk '{print $14+$15}' /proc/$spid/stat)
  echo "server CPU ticks: $((t1-t0)) for 1500" >>$res/summary
  stop_server
done
# 3. mixed 500 req/s 7-day windows
for r in 1 2; do
  db=$(fresh $B/seed8.db); start_server $B/load8.yaml $db 18412
  echo "-- mixed500 $r load $(cut -d' ' -f1 /proc/loadavg)" >>$res/summary
  $bin/atelier-load mixed --url http://127.0.0.1:18412 --rate 500 --duration 20s --avail-days 7 --mix avail=70,book=15,reschedule=10,cancel=5 --pid $spid >$res/mixed500-$r.txt 2>&1
  grep -E 'p99|RSS|sent|drop|5xx|avail|book|resched|cancel' $res/mixed500-$r.txt | head -20 >>$res/summary
  stop_server
done
# 4. 62-day windows, 8 artisans, 50 req/s
for r in 1 2; do
  db=$(fresh $B/seed8.db); start_server $B/load8.yaml $db 18413
  echo "-- avail62 $r load $(cut -d' ' -f1 /proc/loadavg)" >>$res/summary
  $bin/atelier-load mixed --url http://127.0.0.1:18413 --rate 50 --duration 20s --avail-days 62 --mix avail=100,book=0,reschedule=0,cancel=0 --warmup 0 --pid $spid >$res/avail62-$r.txt 2>&1
  grep -E 'p99|p50|RSS|avail' $res/avail62-$r.txt | head -10 >>$res/summary
  stop_server
done
# 5. 100 artisans, 62-day windows, 10 req/s
for r in 1 2; do
  db=$(fresh $B/seed100.db); start_server $B/load100.yaml $db 18414
  echo "-- avail62x100 $r load $(cut -d' ' -f1 /proc/loadavg)" >>$res/summary
  $bin/atelier-load mixed --url http://127.0.0.1:18414 --rate 10 --duration 20s --avail-days 62 --mix avail=100,book=0,reschedule=0,cancel=0 --warmup 0 --pid $spid >$res/avail100-$r.txt 2>&1
  grep -E 'p99|p50|RSS|avail' $res/avail100-$r.txt | head -10 >>$res/summary
  stop_server
done
echo "== end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >>$res/summary
