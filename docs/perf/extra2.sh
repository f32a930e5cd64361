#!/bin/bash
# extra2.sh BIN TAG: 62-day windows with a booking every ~0.4 s (the index memo rebuilt after each)
bin=$1; tag=$2; res=${BENCH_DIR:?set BENCH_DIR: see docs/PERFORMANCE.md, "The goals measured on a quiet machine"}/res-$tag; mkdir -p $res; B=${BENCH_DIR:?set BENCH_DIR: see docs/PERFORMANCE.md, "The goals measured on a quiet machine"}
for r in 1 2; do
  d=$(mktemp -d /tmp/meas.XXXX); cp $B/seed8.db $d/load.db
  $bin/atelier --config $B/load8.yaml --db $d/load.db --addr 127.0.0.1:18416 2>>$res/server.log & spid=$!
  until curl -sf http://127.0.0.1:18416/healthz >/dev/null; do sleep 0.1; done
  echo "-- avail62+writes $r load $(cut -d' ' -f1 /proc/loadavg)" >>$res/summary
  $bin/atelier-load mixed --url http://127.0.0.1:18416 --rate 50 --duration 20s --avail-days 62 --mix avail=95,book=5,reschedule=0,cancel=0 --warmup 0 --pid $spid >$res/avail62w-$r.txt 2>&1
  grep -E 'availability  |book  |memory|5xx' $res/avail62w-$r.txt >>$res/summary
  kill -TERM $spid; wait $spid
done
