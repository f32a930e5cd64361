#!/bin/bash
# drain.sh BIN [folder|smtp] [N]: the mail worker's cost per e-mail (docs/PERFORMANCE.md,
# "drain"). Starts BIN/atelier on a fresh database in a fresh folder, seeds N bookings
# (BIN/atelier-load seed, 16 clients), then waits until both e-mails of every booking are
# delivered: into ./mail-outbox (folder) or to a go-smtp sink on loopback (smtp,
# docs/perf/smtpsink). Prints the server's CPU (utime+stime ticks of 10 ms, /proc/PID/stat)
# during the seed and during the drain after it, and the write transactions committed.
# Run from the repository's root (the smtp mode runs docs/perf/smtpsink/main.go). With
# OUTBOX=DIR the folder mode writes into a new folder under DIR instead.
set -u
bin=$(cd "$1" && pwd); mode=${2:-folder}; n=${3:-1500}
port=${PORT:-18601}; mport=$((port + 4)); sport=$((port + 9))
cfg=$(mktemp /tmp/drain-cfg.XXXX.yaml)
sed "s|^  shutdown_timeout: 5s|  shutdown_timeout: 5s\n  metrics_addr: 127.0.0.1:$mport|" ${LOADCFG:-cmd/atelier-load/testdata/load.yaml} >"$cfg"
d=$(mktemp -d /tmp/drain.XXXX)
if [ "$mode" = smtp ]; then
  sed -i "s|^mail:|mail:\n  smtp:\n    host: 127.0.0.1\n    port: $sport\n    tls: none|" "$cfg"
  go build -o $d/smtpsink docs/perf/smtpsink/main.go
  $d/smtpsink -addr 127.0.0.1:$sport -count $d/count >/dev/null & kpid=$!
  delivered() { cat $d/count 2>/dev/null || echo 0; }
elif [ -n "${OUTBOX:-}" ]; then # the folder elsewhere (OUTBOX=/dev/shm/x: a tmpfs, no ext4 inode search)
  out=$OUTBOX/drain.$$; mkdir -p $out
  sed -i "s|^mail:|mail:\n  outbox_dir: $out|" "$cfg"
  delivered() { ls $out 2>/dev/null | wc -l; }
else
  delivered() { ls $d/mail-outbox 2>/dev/null | wc -l; }
fi
ticks() { awk '{print $14+$15}' /proc/$spid/stat; }
txs() { curl -s http://127.0.0.1:$mport/metrics | awk '/^atelier_sqlite_write_transactions_total /{print $2}'; }
cd $d
$bin/atelier --config "$cfg" --db $d/load.db --addr 127.0.0.1:$port 2>>$d/server.log & spid=$!
until curl -sf http://127.0.0.1:$port/healthz >/dev/null; do sleep 0.1; done
l0=$(cut -d' ' -f1 /proc/loadavg); t0=$(ticks); x0=$(txs)
$bin/atelier-load seed --url http://127.0.0.1:$port --bookings $n --concurrency 16 >$d/seed.log 2>&1
t1=$(ticks); x1=$(txs); w1=$(date +%s.%N); e1=$(delivered)
made=$(grep -o 'made [0-9]*' $d/seed.log | grep -o '[0-9]*' | head -1)
rate=$(grep -o '([0-9]*/s)' $d/seed.log | head -1)
for i in $(seq 1 1200); do [ "$(delivered)" -ge $((2 * made)) ] && break; sleep 0.05; done
w2=$(date +%s.%N); sleep 0.3
t2=$(ticks); x2=$(txs)
echo "$(date -u +%H:%M:%S) $mode load $l0-$(cut -d' ' -f1 /proc/loadavg): $made bookings $rate, $(delivered) e-mails ($e1 during the seed);" \
  "server ticks seed $((t1 - t0)), drain $((t2 - t1)) ($(echo "$w2 - $w1" | bc | cut -c1-5) s);" \
  "write transactions seed $(echo "$x1 - $x0" | bc), drain $(echo "$x2 - $x1" | bc)"
kill -TERM $spid; wait $spid 2>/dev/null
[ "$mode" = smtp ] && { kill -TERM $kpid; wait $kpid 2>/dev/null; }
rm -rf $d "$cfg" ${out:-}
