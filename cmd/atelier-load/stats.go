package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// tally counts outcomes by name ("201", "409", "error", ...).
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *tally) add(k string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == nil {
		t.n = map[string]int{}
	}
	t.n[k]++
}

func (t *tally) get(k string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n[k]
}

// String lists the counts in key order: "201=12 409=188".
func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.n))
	for k := range t.n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, t.n[k])
	}
	return strings.Join(parts, " ")
}

// statusKey names an HTTP outcome for a tally.
func statusKey(status int, err error) string {
	if err != nil {
		return "transport-error"
	}
	return fmt.Sprint(status)
}

// latencies collects the latencies of one endpoint.
type latencies struct {
	mu     sync.Mutex
	d      []time.Duration
	status tally
}

func (l *latencies) add(d time.Duration, key string) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
	l.status.add(key)
}

// summary is what is printed of a latency distribution.
type summary struct {
	n                  int
	p50, p95, p99, max time.Duration
}

func (l *latencies) summary() summary {
	l.mu.Lock()
	d := slices.Clone(l.d)
	l.mu.Unlock()
	if len(d) == 0 {
		return summary{}
	}
	slices.Sort(d)
	return summary{n: len(d), p50: quantile(d, 0.50), p95: quantile(d, 0.95), p99: quantile(d, 0.99), max: d[len(d)-1]}
}

// quantile returns the q-quantile of sorted d (nearest rank).
func quantile(d []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(d))+0.999999) - 1
	return d[min(max(i, 0), len(d)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// printTable writes the latency table of the endpoints in order.
func printTable(w io.Writer, names []string, byName map[string]*latencies, elapsed time.Duration) {
	fmt.Fprintf(w, "%-12s %7s %9s %10s %10s %10s %10s  %s\n", "endpoint", "count", "req/s", "p50", "p95", "p99", "max", "statuses")
	for _, name := range names {
		l := byName[name]
		s := l.summary()
		if s.n == 0 {
			continue
		}
		fmt.Fprintf(w, "%-12s %7d %9.1f %10s %10s %10s %10s  %s\n", name, s.n, float64(s.n)/elapsed.Seconds(),
			ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), l.status.String())
	}
}
