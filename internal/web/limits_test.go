package web_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/httpx"
)

// detailsForm is a booking request through the pages; the e-mail address
// is invalid, so that a request that passes the limit changes nothing.
func detailsForm() url.Values {
	return url.Values{
		"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {"any"}, "tz": {"Europe/London"},
		"start": {time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore).Format(time.RFC3339)},
		"name":  {"Ada"}, "email": {"not an address"}, "notes": {"size N"},
	}
}

// bookViaPage posts the details form from the client at xff ("" for the
// peer itself).
func (e *Env) bookViaPage(tb testing.TB, xff string) Page {
	tb.Helper()
	return e.Send(tb, http.MethodPost, "/book/details", "application/x-www-form-urlencoded", detailsForm().Encode(), forwarded(xff)...)
}

// bookViaAPI posts an (invalid) booking to the JSON API.
func (e *Env) bookViaAPI(tb testing.TB, xff string) Page {
	tb.Helper()
	return e.Send(tb, http.MethodPost, "/api/v1/bookings", "application/json", `{}`, forwarded(xff)...)
}

func forwarded(xff string) []string {
	if xff == "" {
		return nil
	}
	return []string{"X-Forwarded-For", xff}
}

func mustRetryAfter(tb testing.TB, p Page) {
	tb.Helper()
	if secs, err := strconv.Atoi(p.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		tb.Errorf("Retry-After = %q, want 1..60 seconds", p.Header.Get("Retry-After"))
	}
}

func TestBookingLimitSharedWithAPI(t *testing.T) {
	const limit = 20
	tests := []struct {
		name string
		last func(*Env, testing.TB, string) Page
		page bool
	}{
		{"21stThroughPage", (*Env).bookViaPage, true},
		{"21stThroughAPI", (*Env).bookViaAPI, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := MustOpenEnvConfig(t, httpx.Config{BookingsPerMinute: limit})
			for i := range limit {
				via, p := "page", Page{}
				if i%2 == 0 {
					p = env.bookViaPage(t, "")
				} else {
					via, p = "API", env.bookViaAPI(t, "")
				}
				if p.Status == http.StatusTooManyRequests {
					t.Fatalf("request %d (%s) refused within the limit of %d", i+1, via, limit)
				}
			}
			p := tt.last(env, t, "")
			if p.Status != http.StatusTooManyRequests {
				t.Fatalf("request %d: status %d, want 429", limit+1, p.Status)
			}
			mustRetryAfter(t, p)
			if !tt.page {
				return
			}
			for _, want := range []string{"many booking requests", "your details are kept", `value="Ada"`, ">size N</textarea>"} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("429 page lacks %q", want)
				}
			}
		})
	}
}

func TestBookingLimitPerForwardedClient(t *testing.T) {
	env := MustOpenEnvConfig(t, httpx.Config{
		BookingsPerMinute: 1,
		TrustedProxies:    []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
	})
	if p := env.bookViaPage(t, "203.0.113.1"); p.Status == http.StatusTooManyRequests {
		t.Fatal("first client refused at once")
	}
	if p := env.bookViaAPI(t, "203.0.113.1"); p.Status != http.StatusTooManyRequests {
		t.Errorf("the API let the client through after its page booking: %d", p.Status)
	}
	if p := env.bookViaPage(t, "203.0.113.2"); p.Status == http.StatusTooManyRequests {
		t.Error("a second client behind the proxy shares the first one's budget")
	}
	if p := env.bookViaPage(t, "198.51.100.9, 203.0.113.1"); p.Status != http.StatusTooManyRequests {
		t.Errorf("a forged left hop escaped the limit: %d", p.Status)
	}
}

func TestLoginThrottleSharedWithAPI(t *testing.T) {
	env := MustOpenEnvConfig(t, httpx.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	const attacker = "203.0.113.66"
	viaPage := func(email, password, xff string) Page {
		form := url.Values{"email": {email}, "password": {password}}
		return env.Send(t, http.MethodPost, "/staff/login", "application/x-www-form-urlencoded", form.Encode(), forwarded(xff)...)
	}
	viaAPI := func(email, password, xff string) Page {
		body := `{"email":` + strconv.Quote(email) + `,"password":` + strconv.Quote(password) + `}`
		return env.Send(t, http.MethodPost, "/api/v1/staff/login", "application/json", body, forwarded(xff)...)
	}
	// Failures on the page and through the API, as different accounts
	// from one client, add up.
	for i := range LoginsPerMinute {
		login, via := viaPage, "page"
		if i%2 == 1 {
			login, via = viaAPI, "API"
		}
		if p := login("guess"+strconv.Itoa(i)+"@example.com", "wrong password!", attacker); p.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d (%s): %d, want 401", i+1, via, p.Status)
		}
	}
	p := viaPage("boss@example.com", StaffPassword, attacker)
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many failed sign-ins") {
		t.Fatalf("page after %d failures: %d, want 429 with a message", LoginsPerMinute, p.Status)
	}
	mustRetryAfter(t, p)
	if p := viaAPI("boss@example.com", StaffPassword, attacker); p.Status != http.StatusTooManyRequests {
		t.Errorf("API after %d failures: %d, want 429", LoginsPerMinute, p.Status)
	}
	// The client is the forwarded one, not the proxy: others still sign in.
	if p := viaPage("boss@example.com", StaffPassword, "198.51.100.1"); p.Status != http.StatusSeeOther {
		t.Errorf("another client behind the proxy: %d, want 303", p.Status)
	}
}

// TestLoginPageBusy: while every password check is taken, the sign-in page
// says so (503 with Retry-After), and the attempt is not held against the
// client.
func TestLoginPageBusy(t *testing.T) {
	// One check at a time and none waiting; a check of these costs takes
	// long enough (tens of milliseconds) to be seen running.
	slow := auth.Params{Memory: 32 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	checker := auth.NewChecker(slow, 1, 0)
	env := MustOpenEnvChecker(t, httpx.Config{}, checker)
	env.MustCreateUserParams(t, "boss@example.com", "Boss", "", slow)
	login := func() (*http.Response, error) {
		form := url.Values{"email": {"boss@example.com"}, "password": {"wrong password!"}}
		req, err := http.NewRequest(http.MethodPost, env.URL+"/staff/login", strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}

	for round := 0; ; round++ {
		first := make(chan int, 1)
		go func() {
			resp, err := login()
			if err != nil {
				first <- 0
				return
			}
			first <- resp.StatusCode
		}()
		// Wait until the first sign-in is checking its password ...
		deadline := time.Now().Add(10 * time.Second)
		for checker.Stats().Running == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		// ... and sign in beside it.
		form := url.Values{"email": {"boss@example.com"}, "password": {StaffPassword}}
		p := env.Send(t, http.MethodPost, "/staff/login", "application/x-www-form-urlencoded", form.Encode())
		if got := <-first; got != http.StatusUnauthorized {
			t.Fatalf("the first sign-in: %d, want 401", got)
		}
		if p.Status == http.StatusSeeOther && round < 5 {
			continue // the first check ended before this one arrived; try again
		}
		if p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, "Signing in is busy right now") {
			t.Fatalf("sign-in beside a running check with no room to wait: %d, want 503 with a message", p.Status)
		}
		mustRetryAfter(t, p)
		break
	}
	if st := checker.Stats(); st.Peak != 1 {
		t.Errorf("checker %+v, want one check at a time", st)
	}
	// When the check is over, the same sign-in goes through.
	form := url.Values{"email": {"boss@example.com"}, "password": {StaffPassword}}
	if p := env.Send(t, http.MethodPost, "/staff/login", "application/x-www-form-urlencoded", form.Encode()); p.Status != http.StatusSeeOther {
		t.Errorf("sign-in after the busy one: %d, want 303", p.Status)
	}
}

// A form longer than a page accepts is 413 with a page that says so in
// the visitor's language, and books nothing; a broken one is 400.
func TestTooLongFormIs413(t *testing.T) {
	env := MustOpenEnv(t)
	long := detailsForm()
	long.Set("notes", strings.Repeat("n", 70<<10))
	p := env.Send(t, http.MethodPost, "/book/details", "application/x-www-form-urlencoded", long.Encode())
	if p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, "too long") {
		t.Errorf("a 70 KiB details form: %d\n%s", p.Status, p.Body)
	}
	zh := env.Send(t, http.MethodPost, "/book/details", "application/x-www-form-urlencoded", long.Encode(), "Accept-Language", "zh-CN")
	if zh.Status != http.StatusRequestEntityTooLarge || !strings.Contains(zh.Body, "太长") {
		t.Errorf("the same in Chinese: %d", zh.Status)
	}
	cookie := staffLogin(t, env)
	staff := env.Send(t, http.MethodPost, "/staff/bookings/new", "application/x-www-form-urlencoded", long.Encode(), "Cookie", cookie)
	if staff.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 KiB staff form: %d", staff.Status)
	}
	bad := env.Send(t, http.MethodPost, "/book/details", "application/x-www-form-urlencoded", "name=A%FFda")
	if bad.Status != http.StatusBadRequest || !strings.Contains(bad.Body, "could not be read") {
		t.Errorf("a form that is not UTF-8: %d", bad.Status)
	}
	ct, body := multipartForm(t, long)
	mp := env.Send(t, http.MethodPost, "/book/details", ct, body)
	if mp.Status != http.StatusRequestEntityTooLarge || !strings.Contains(mp.Body, "too long") {
		t.Errorf("a multipart details form with 70 KiB of text: %d", mp.Status)
	}
}
