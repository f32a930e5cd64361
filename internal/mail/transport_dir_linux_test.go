package mail

import (
	"context"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkDirSendWays writes 12 KB messages into one folder both ways in
// turn, message by message: through an unnamed file (what Send does on
// Linux) and through a temporary name and a rename (what it did before,
// and does where there are no unnamed files). Taken in turn in the same
// folder, each first in every other pair, both see the same state of the
// file system, whose inode
// allocation varies tenfold on a disk shared with other work; each
// way's CPU is the thread's own (µs/op per message).
func BenchmarkDirSendWays(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dir := b.TempDir()
	now := time.Now()
	unnamed := &Dir{Path: dir, Now: func() time.Time { return now }}
	renamed := &Dir{Path: dir, Now: func() time.Time { return now }}
	renamed.noUnnamed.Store(true)
	msg := make([]byte, 12000)
	var used [2]time.Duration
	var job int64
	ways := []*Dir{unnamed, renamed}
	for b.Loop() {
		for k := range ways {
			i := (int(job/2) + k) % 2 // each way first in every other pair
			d := ways[i]
			job++
			t0 := threadCPU()
			if err := d.Send(context.Background(), Envelope{Kind: KindConfirmation, BookingID: "bk_7nyo33znhysuzjljnuhm", JobID: job}, msg); err != nil {
				b.Fatal(err)
			}
			used[i] += threadCPU() - t0
		}
	}
	if unnamed.noUnnamed.Load() {
		b.Fatal("the folder took no unnamed file")
	}
	b.ReportMetric(float64(used[0].Nanoseconds())/1e3/float64(b.N), "unnamed-cpu-µs/op")
	b.ReportMetric(float64(used[1].Nanoseconds())/1e3/float64(b.N), "renamed-cpu-µs/op")
}

func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
