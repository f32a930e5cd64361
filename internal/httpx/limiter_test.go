package httpx

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	l := newLimiter[netip.Addr](3, time.Minute)
	a := netip.MustParseAddr("203.0.113.1")
	b := netip.MustParseAddr("203.0.113.2")
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	for i := range 3 {
		if ok, _ := l.take(a, t0); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	ok, wait := l.take(a, t0)
	if ok || wait <= 0 || wait > 20*time.Second {
		t.Fatalf("fourth request: ok %v wait %v, want refused with a wait of at most 20s", ok, wait)
	}
	if got := RetryAfter(wait); got != "20" {
		t.Errorf("Retry-After = %s, want 20", got)
	}
	if ok, _ := l.take(b, t0); !ok {
		t.Error("another address shares the bucket")
	}
	if ok, _ := l.take(a, t0.Add(20*time.Second)); !ok {
		t.Error("a token did not come back after 20s")
	}
	// Idle buckets are dropped on a later call.
	if n := l.b.size(); n != 2 {
		t.Fatalf("size = %d, want 2", n)
	}
	l.take(b, t0.Add(10*time.Minute))
	if n := l.b.size(); n != 1 {
		t.Errorf("size after 10 idle minutes = %d, want 1 (only the caller)", n)
	}
}

func TestRetryAfterRoundsUp(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{time.Millisecond, "1"}, {1500 * time.Millisecond, "2"}, {3 * time.Second, "3"}} {
		if got := RetryAfter(tt.d); got != tt.want {
			t.Errorf("RetryAfter(%v) = %s, want %s", tt.d, got, tt.want)
		}
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	th := newLimiter[string](3, time.Minute)
	for i := 0; i < 3; i++ {
		if ok, _ := th.take("a", now); !ok {
			t.Fatalf("attempt %d refused within the budget", i+1)
		}
	}
	ok, wait := th.take("a", now)
	if ok || wait < time.Second || wait > time.Minute {
		t.Fatalf("after 3 attempts: ok %v, wait %v; want refused for up to a minute", ok, wait)
	}
	if ok, _ := th.take("b", now); !ok {
		t.Error("another key is refused")
	}
	if ok, _ := th.take("a", now.Add(wait)); !ok {
		t.Errorf("still refused after the announced wait %v", wait)
	}

	t.Run("ReturnGivesBack", func(t *testing.T) {
		th := newLimiter[string](3, time.Minute)
		// A right password gives its attempt back: any number of
		// successes never use the budget up.
		for i := 0; i < 10; i++ {
			if ok, _ := th.take("a", now); !ok {
				t.Fatalf("attempt %d refused though every earlier one was given back", i+1)
			}
			th.giveBack("a", now)
		}
		th.giveBack("b", now) // returning what was never taken is harmless
		for i := 0; i < 3; i++ {
			if ok, _ := th.take("b", now); !ok {
				t.Fatalf("attempt %d of a fresh key refused", i+1)
			}
		}
		if ok, _ := th.take("b", now); ok {
			t.Error("a return without a take raised the budget")
		}
	})

	if ok, _ := newLimiter[string](0, time.Minute).take("a", now); !ok {
		t.Error("a disabled throttle refuses")
	}
}

func TestThrottleParallelTakes(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	th := newLimiter[string](10, time.Minute)
	var passed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if ok, _ := th.take("a", now); ok {
				passed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if got := passed.Load(); got != 10 {
		t.Errorf("%d of 100 parallel attempts passed a budget of 10", got)
	}
}

func TestBackoff(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	bo := newBackoff(10) // the default limits.logins_per_minute
	// Twice an address's budget passes at once: one address alone
	// never slows an account down.
	for i := 0; i < 20; i++ {
		if d := bo.attempt("a", now); d != 0 {
			t.Fatalf("free attempt %d delayed %v", i+1, d)
		}
	}
	var got []time.Duration
	for i := 0; i < 50; i++ {
		got = append(got, bo.attempt("a", now))
	}
	for i, d := range got {
		if d <= 0 || d > MaxLoginDelay {
			t.Fatalf("attempt %d past the free ones: delay %v, want in (0, %v]", i+21, d, MaxLoginDelay)
		}
		if i > 0 && d < got[i-1] {
			t.Fatalf("delay fell from %v to %v while attempts went on", got[i-1], d)
		}
	}
	if got[0] >= got[len(got)-1] || got[len(got)-1] != MaxLoginDelay {
		t.Errorf("delays %v..%v, want growing up to %v", got[0], got[len(got)-1], MaxLoginDelay)
	}
	if d := bo.attempt("b", now); d != 0 {
		t.Errorf("another key delayed %v", d)
	}
	// However long an attack went on, the delay is gone within a minute
	// of it stopping.
	if d := bo.attempt("a", now.Add(time.Minute)); d != 0 {
		t.Errorf("a minute after the last attempt: delay %v, want none", d)
	}
	if newBackoff(0).attempt("a", now) != 0 {
		t.Error("a disabled backoff delays")
	}
}

// TestLimitsForgetIdleKeys: keys whose bucket has drained are dropped, so
// a stream of new addresses or e-mail addresses does not grow memory.
func TestLimitsForgetIdleKeys(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	th, bo := newLimiter[string](10, time.Minute), newBackoff(10)
	for i := range 100 {
		key := string(rune('a'+i%26)) + time.Duration(i).String()
		th.take(key, now)
		bo.attempt(key, now)
	}
	if th.b.size() != 100 || bo.b.size() != 100 {
		t.Fatalf("sizes %d, %d, want 100 keys each", th.b.size(), bo.b.size())
	}
	later := now.Add(2 * time.Minute)
	th.take("new", later)
	bo.attempt("new", later)
	if th.b.size() != 1 || bo.b.size() != 1 {
		t.Errorf("two idle minutes later: sizes %d, %d, want only the new key", th.b.size(), bo.b.size())
	}
}
