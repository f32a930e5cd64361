package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestIdleServerStaysIdle starts the real binary on an empty database and
// checks that, with no requests, it uses (almost) no CPU: a server that
// spins when idle takes cores from the requests and from its neighbours.
func TestIdleServerStaysIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary; skipped with -short")
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc (Linux)")
	}
	bin := MustBuildAtelier(t)
	dir := t.TempDir()
	cfg, err := filepath.Abs("testdata/load.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := MustStartServer(t, bin, cfg, filepath.Join(dir, "atelier.db"), dir)
	pid := srv.cmd.Process.Pid

	const window = 3 * time.Second
	time.Sleep(time.Second) // let start-up work (migrations, catalogue sync) finish
	before := MustCPUTicks(t, pid)
	time.Sleep(window) // measuring idleness: nothing to wait for but the clock
	used := MustCPUTicks(t, pid) - before
	// USER_HZ is 100 on every Linux the project targets.
	cores := float64(used) / 100 / window.Seconds()
	t.Logf("idle server used %d CPU ticks in %s: %.0f%% of one core", used, window, cores*100)
	if cores > 0.05 {
		t.Errorf("the idle server used %.0f%% of a core (want under 5%%): a background loop is spinning", cores*100)
	}
	srv.stop(t)
}

// MustCPUTicks returns utime+stime of pid from /proc/PID/stat, in clock ticks.
func MustCPUTicks(tb testing.TB, pid int) int64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	ut, err1 := strconv.ParseInt(fields[11], 10, 64)
	st, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("parsing /proc/%d/stat: %v %v", pid, err1, err2)
	}
	return ut + st
}
