package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
)

// slowParams make a password check take long enough (milliseconds, a few
// MiB) for parallel checks to overlap, as real ones (64 MiB) do.
var slowParams = auth.Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// loginResult is what one sign-in over HTTP answered.
type loginResult struct {
	status     int
	retryAfter string
	code       string // problem code, if a problem
	err        error
}

// postLogin signs in over HTTP without a testing.TB, so that goroutines
// may call it; xff, if not "", is the X-Forwarded-For header.
func postLogin(client *http.Client, url, email, password, xff string) loginResult {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequest(http.MethodPost, url+"/api/v1/staff/login", bytes.NewReader(body))
	if err != nil {
		return loginResult{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := client.Do(req)
	if err != nil {
		return loginResult{err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	res := loginResult{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), err: err}
	if resp.Header.Get("Content-Type") == "application/problem+json" {
		var p httpapi.Problem
		if err := json.Unmarshal(raw, &p); err != nil {
			res.err = err
		}
		res.code = p.Code
	}
	return res
}

// parallelLogins sends n sign-ins at once, each from the address that
// from(i) gives ("" for the test's own), and returns their results.
func parallelLogins(e *StaffEnv, n int, email, password string, from func(i int) string) []loginResult {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()
	results := make([]loginResult, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = postLogin(client, e.HTTP.URL, email, password, from(i))
		}()
	}
	close(start)
	wg.Wait()
	return results
}

func countStatuses(t *testing.T, results []loginResult) map[int]int {
	t.Helper()
	got := map[int]int{}
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("a sign-in failed: %v", r.err)
		}
		got[r.status]++
	}
	return got
}

// TestStaffLoginParallel sends 100 wrong passwords at once from one
// address: only limits.logins_per_minute of them get a password check,
// the rest are 429 before any argon2 work, and no more checks than the
// checker allows run at once, which bounds their memory.
func TestStaffLoginParallel(t *testing.T) {
	const limit, n = 10, 100
	checker := auth.NewChecker(slowParams, auth.DefaultConcurrentChecks, auth.DefaultWaitingChecks)
	e := MustOpenStaffEnv(t, StaffOptions{LoginsPerMinute: limit, Checker: checker})
	owner := e.MustCreateUserParams(t, "owner@example.com", booking.RoleAdmin, "", slowParams)

	results := parallelLogins(e, n, owner.Email, "wrong password!", func(int) string { return "" })
	got := countStatuses(t, results)
	if got[http.StatusUnauthorized] != limit || got[http.StatusTooManyRequests] != n-limit || len(got) != 2 {
		t.Errorf("statuses %v, want %d × 401 and %d × 429", got, limit, n-limit)
	}
	for _, r := range results {
		if r.status != http.StatusTooManyRequests {
			continue
		}
		if ra, err := strconv.Atoi(r.retryAfter); err != nil || ra < 1 || ra > 60 || r.code != "rate_limited" {
			t.Fatalf("429 with Retry-After %q and code %q, want 1..60 seconds and rate_limited", r.retryAfter, r.code)
		}
	}
	st := checker.Stats()
	if st.Done != limit {
		t.Errorf("%d password checks ran, want %d (the limit)", st.Done, limit)
	}
	if st.Peak < 1 || st.Peak > auth.DefaultConcurrentChecks {
		t.Errorf("%d password checks ran at once, want at most %d", st.Peak, auth.DefaultConcurrentChecks)
	}
	t.Logf("argon2 checks: %d done, at most %d at once: %d MiB with the production costs",
		st.Done, st.Peak, st.Peak*int(auth.DefaultParams.Memory)/1024)

	// The owner, elsewhere, is not held up.
	if r := postLogin(e.HTTP.Client(), e.HTTP.URL, owner.Email, StaffPassword, ""); r.status != http.StatusTooManyRequests {
		t.Errorf("the attacking address after its budget: %d, want 429", r.status)
	}
}

// TestStaffLoginParallelNoLimit turns the per-address limit off: a burst
// still never runs more checks at once than the checker allows, and what
// it cannot queue is 503 with Retry-After, never a 500 or a lost answer.
func TestStaffLoginParallelNoLimit(t *testing.T) {
	const n = 100
	checker := auth.NewChecker(slowParams, auth.DefaultConcurrentChecks, auth.DefaultWaitingChecks)
	e := MustOpenStaffEnv(t, StaffOptions{Checker: checker})
	owner := e.MustCreateUserParams(t, "owner@example.com", booking.RoleAdmin, "", slowParams)

	results := parallelLogins(e, n, owner.Email, "wrong password!", func(int) string { return "" })
	got := countStatuses(t, results)
	if got[http.StatusUnauthorized]+got[http.StatusServiceUnavailable] != n {
		t.Errorf("statuses %v, want only 401 and 503", got)
	}
	for _, r := range results {
		if r.status == http.StatusServiceUnavailable && (r.retryAfter != "1" || r.code != "unavailable") {
			t.Fatalf("503 with Retry-After %q and code %q, want 1 and unavailable", r.retryAfter, r.code)
		}
	}
	st := checker.Stats()
	if st.Done != got[http.StatusUnauthorized] || st.Peak > auth.DefaultConcurrentChecks {
		t.Errorf("checker %+v for %d × 401: want one check per 401, at most %d at once", st, got[http.StatusUnauthorized], auth.DefaultConcurrentChecks)
	}
	t.Logf("statuses %v; checks %+v", got, st)
	// Once the burst is over, signing in works.
	if r := postLogin(e.HTTP.Client(), e.HTTP.URL, owner.Email, StaffPassword, ""); r.status != http.StatusOK {
		t.Errorf("after the burst: %d, want 200", r.status)
	}
}

// TestStaffLoginNotLockedOut: knowing a staff e-mail address is not
// enough to lock its owner out.
func TestStaffLoginNotLockedOut(t *testing.T) {
	const limit = 10
	trusted := httpx.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}

	t.Run("OneAttackerAddress", func(t *testing.T) {
		e := MustOpenStaffEnv(t, StaffOptions{LoginsPerMinute: limit, Config: trusted})
		const attacker = "203.0.113.66"
		got := map[int]int{}
		for range 50 {
			r, _ := e.Login(t, e.Admin.Email, "wrong password!", "X-Forwarded-For", attacker)
			got[r.Status]++
		}
		if got[http.StatusUnauthorized] != limit || got[http.StatusTooManyRequests] != 50-limit {
			t.Errorf("attacker's 50 tries: %v, want %d × 401, the rest 429", got, limit)
		}
		start := time.Now()
		r, c := e.Login(t, e.Admin.Email, StaffPassword, "X-Forwarded-For", "198.51.100.1")
		if r.Status != http.StatusOK || c == nil {
			t.Fatalf("the owner from another address: %d %s, want 200", r.Status, r.Body)
		}
		// The attacker's refused tries never reached the account.
		if took := time.Since(start); took >= 250*time.Millisecond {
			t.Errorf("the owner waited %v, want no delay", took)
		}
	})

	t.Run("ManyAttackerAddresses", func(t *testing.T) {
		e := MustOpenStaffEnv(t, StaffOptions{LoginsPerMinute: limit, Config: trusted})
		// 50 failures at once from 50 addresses, each within its budget.
		results := parallelLogins(e, 50, e.Admin.Email, "wrong password!", func(i int) string {
			return "203.0.113." + strconv.Itoa(10+i)
		})
		if got := countStatuses(t, results); got[http.StatusUnauthorized] != 50 {
			t.Fatalf("spread attack: %v, want 50 × 401", got)
		}
		start := time.Now()
		r, c := e.Login(t, e.Admin.Email, StaffPassword, "X-Forwarded-For", "198.51.100.1")
		took := time.Since(start)
		if r.Status != http.StatusOK || c == nil {
			t.Fatalf("the owner from a fresh address: %d %s, want 200", r.Status, r.Body)
		}
		// The account is slowed down, not locked: the owner waits at
		// most the capped delay (plus the time of a request).
		if took < httpx.MaxLoginDelay/2 || took > httpx.MaxLoginDelay+3*time.Second {
			t.Errorf("the owner's sign-in took %v, want about the capped delay %v", took, httpx.MaxLoginDelay)
		}
		// A client that leaves during the delay had nothing checked, so
		// its attempt is given back: the address still has its whole
		// budget.
		const leaver = "192.0.2.50"
		ctx, cancel := context.WithTimeout(context.Background(), httpx.MaxLoginDelay/4)
		body, _ := json.Marshal(map[string]string{"email": e.Admin.Email, "password": "wrong password!"})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.HTTP.URL+"/api/v1/staff/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", leaver)
		if resp, err := e.HTTP.Client().Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("a sign-in under the capped delay answered %d within %v", resp.StatusCode, httpx.MaxLoginDelay/4)
		}
		cancel()
		results = parallelLogins(e, limit, e.Admin.Email, "wrong password!", func(int) string { return leaver })
		if got := countStatuses(t, results); got[http.StatusUnauthorized] != limit {
			t.Errorf("the address that left during the delay, %d more tries: %v, want %d × 401", limit, got, limit)
		}

		// The delay is per account: another account is not slowed.
		start = time.Now()
		if r, _ := e.Login(t, e.Mei.Email, StaffPassword, "X-Forwarded-For", "198.51.100.2"); r.Status != http.StatusOK {
			t.Errorf("another account: %d, want 200", r.Status)
		}
		if took := time.Since(start); took >= 250*time.Millisecond {
			t.Errorf("another account waited %v, want no delay", took)
		}
	})
}

// TestStaffLoginSuccessGivesBack: a right password gives its attempt back,
// so failures and successes from one address leave the failures' budget.
func TestStaffLoginSuccessGivesBack(t *testing.T) {
	const limit = 3
	e := MustOpenStaffEnv(t, StaffOptions{LoginsPerMinute: limit})
	for i := range limit - 1 {
		if r, _ := e.Login(t, e.Admin.Email, "wrong password!"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, r.Status)
		}
	}
	for i := range 5 {
		if r, _ := e.Login(t, e.Admin.Email, StaffPassword); r.Status != http.StatusOK {
			t.Fatalf("success %d after %d failures: %d, want 200", i+1, limit-1, r.Status)
		}
	}
	if r, _ := e.Login(t, e.Admin.Email, "wrong password!"); r.Status != http.StatusUnauthorized {
		t.Fatalf("failure %d: %d, want 401", limit, r.Status)
	}
	if r, _ := e.Login(t, e.Admin.Email, StaffPassword); r.Status != http.StatusTooManyRequests {
		t.Errorf("after %d failures: %d, want 429", limit, r.Status)
	}
}
