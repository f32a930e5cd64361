package auth_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
)

func TestPasswordHash(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := auth.HashPassword(pw, auth.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q is not a PHC argon2id string with the given parameters", h)
	}
	h2, _ := auth.HashPassword(pw, auth.TestParams)
	if h == h2 {
		t.Error("two hashes of one password are equal: no random salt")
	}
	tests := []struct {
		name, encoded, password string
		want                    bool
		wantErr                 bool
	}{
		{"Right", h, pw, true, false},
		{"Wrong", h, pw + "!", false, false},
		{"Empty", h, "", false, false},
		{"Bcrypt", "$2a$10$abcdefghijklmnopqrstuv", pw, false, true},
		{"Truncated", h[:len(h)-40], pw, false, true},
		{"HugeMemory", strings.Replace(h, "m=64", "m=99999999", 1), pw, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := auth.VerifyPassword(tc.encoded, tc.password)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("VerifyPassword = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestDefaultParamsAreMemoryHard(t *testing.T) {
	p := auth.DefaultParams
	if p.Memory < 64*1024 || p.Time < 1 || p.Time > 3 || p.SaltLen < 16 || p.KeyLen < 32 {
		t.Errorf("DefaultParams = %+v, want >= 64 MiB, 1..3 passes, 16-byte salt, 32-byte key", p)
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"Eleven", "elevenchars", false},
		{"Twelve", "twelve chars", true},
		{"TwelveRunes", "éééééééééééé", true},
		{"TooLong", strings.Repeat("x", 2000), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := auth.ValidatePassword(tc.pw); (err == nil) != tc.ok {
				t.Errorf("ValidatePassword = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestSessionToken(t *testing.T) {
	tok := auth.NewSessionToken()
	if other := auth.NewSessionToken(); other.ID == tok.ID || other.Secret == tok.Secret {
		t.Fatal("two tokens share an id or a secret")
	}
	got, ok := auth.ParseSessionToken(tok.String())
	if !ok || got != tok {
		t.Fatalf("ParseSessionToken(%q) = %+v, %v", tok.String(), got, ok)
	}
	if !auth.SecretMatches(tok.Secret, tok.SecretHash()) || auth.SecretMatches(tok.Secret+"x", tok.SecretHash()) {
		t.Error("SecretMatches does not tell the secret from another")
	}
	for _, bad := range []string{"", "nodot", ".secret", "id.", "a.b.c", strings.Repeat("a", 300) + ".b"} {
		if _, ok := auth.ParseSessionToken(bad); ok {
			t.Errorf("ParseSessionToken(%q) accepted", bad)
		}
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	th := auth.NewThrottle(3)
	for i := 0; i < 3; i++ {
		if ok, _ := th.Take("a", now); !ok {
			t.Fatalf("attempt %d refused within the budget", i+1)
		}
	}
	ok, wait := th.Take("a", now)
	if ok || wait < time.Second || wait > time.Minute {
		t.Fatalf("after 3 attempts: ok %v, wait %v; want refused for up to a minute", ok, wait)
	}
	if ok, _ := th.Take("b", now); !ok {
		t.Error("another key is refused")
	}
	if ok, _ := th.Take("a", now.Add(wait)); !ok {
		t.Errorf("still refused after the announced wait %v", wait)
	}

	t.Run("ReturnGivesBack", func(t *testing.T) {
		th := auth.NewThrottle(3)
		// A right password gives its attempt back: any number of
		// successes never use the budget up.
		for i := 0; i < 10; i++ {
			if ok, _ := th.Take("a", now); !ok {
				t.Fatalf("attempt %d refused though every earlier one was given back", i+1)
			}
			th.Return("a", now)
		}
		th.Return("b", now) // returning what was never taken is harmless
		for i := 0; i < 3; i++ {
			if ok, _ := th.Take("b", now); !ok {
				t.Fatalf("attempt %d of a fresh key refused", i+1)
			}
		}
		if ok, _ := th.Take("b", now); ok {
			t.Error("a return without a take raised the budget")
		}
	})

	if ok, _ := auth.NewThrottle(0).Take("a", now); !ok {
		t.Error("a disabled throttle refuses")
	}
}

func TestThrottleParallelTakes(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	th := auth.NewThrottle(10)
	var passed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if ok, _ := th.Take("a", now); ok {
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
	bo := auth.NewBackoff(10) // the default limits.logins_per_minute
	// Twice an address's budget passes at once: one address alone
	// never slows an account down.
	for i := 0; i < 20; i++ {
		if d := bo.Attempt("a", now); d != 0 {
			t.Fatalf("free attempt %d delayed %v", i+1, d)
		}
	}
	var got []time.Duration
	for i := 0; i < 50; i++ {
		got = append(got, bo.Attempt("a", now))
	}
	for i, d := range got {
		if d <= 0 || d > auth.MaxLoginDelay {
			t.Fatalf("attempt %d past the free ones: delay %v, want in (0, %v]", i+21, d, auth.MaxLoginDelay)
		}
		if i > 0 && d < got[i-1] {
			t.Fatalf("delay fell from %v to %v while attempts went on", got[i-1], d)
		}
	}
	if got[0] >= got[len(got)-1] || got[len(got)-1] != auth.MaxLoginDelay {
		t.Errorf("delays %v..%v, want growing up to %v", got[0], got[len(got)-1], auth.MaxLoginDelay)
	}
	if d := bo.Attempt("b", now); d != 0 {
		t.Errorf("another key delayed %v", d)
	}
	// However long an attack went on, the delay is gone within a minute
	// of it stopping.
	if d := bo.Attempt("a", now.Add(time.Minute)); d != 0 {
		t.Errorf("a minute after the last attempt: delay %v, want none", d)
	}
	if auth.NewBackoff(0).Attempt("a", now) != 0 {
		t.Error("a disabled backoff delays")
	}
}
