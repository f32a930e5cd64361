package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

func TestStaffLogin(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})

	t.Run("ReturnsUserAndCookie", func(t *testing.T) {
		r, c := e.Login(t, "MEI.staff@example.com", StaffPassword)
		if r.Status != http.StatusOK || c == nil {
			t.Fatalf("status %d, cookie %v, body %s", r.Status, c, r.Body)
		}
		var u struct{ ID, Email, Name, Role, Artisan string }
		r.JSON(t, &u)
		if u.ID != e.Mei.ID || u.Role != "artisan" || u.Artisan != "mei" {
			t.Errorf("user = %+v, want mei's artisan account", u)
		}
		if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("cookie = %+v, want HttpOnly, Secure (https public URL), SameSite=Lax, Path=/", c)
		}
		tok, ok := auth.ParseSessionToken(c.Value)
		if !ok {
			t.Fatalf("cookie value %q is not id.secret", c.Value)
		}
		sess, _, err := e.DB.Session(context.Background(), tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sess.SecretHash, []byte(tok.Secret)) || !auth.SecretMatches(tok.Secret, sess.SecretHash) {
			t.Error("the stored session must hold only the SHA-256 of the secret")
		}
	})

	t.Run("SameAnswerForUnknownEmailAndWrongPassword", func(t *testing.T) {
		unknown, c1 := e.Login(t, "nobody@example.com", StaffPassword)
		wrong, c2 := e.Login(t, e.Admin.Email, "not the password at all")
		if unknown.Status != http.StatusUnauthorized || wrong.Status != http.StatusUnauthorized {
			t.Fatalf("statuses %d and %d, want 401", unknown.Status, wrong.Status)
		}
		if !bytes.Equal(unknown.Body, wrong.Body) {
			t.Errorf("bodies differ:\n%s\n%s", unknown.Body, wrong.Body)
		}
		if c1 != nil || c2 != nil {
			t.Error("a failed login set a session cookie")
		}
	})

	t.Run("NotSecureOverHTTP", func(t *testing.T) {
		e := MustOpenStaffEnv(t, StaffOptions{Config: httpx.Config{PublicURL: "http://127.0.0.1:8080"}})
		_, c := e.Login(t, e.Admin.Email, StaffPassword)
		if c == nil || c.Secure {
			t.Errorf("cookie = %+v, want a cookie without Secure under http", c)
		}
	})
}

func TestStaffSessionExpiry(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{IdleTimeout: time.Hour, MaxAge: 3 * time.Hour})
	me := func(cookie string) int { return e.Do(t, cookie, http.MethodGet, "/api/v1/staff/me", nil).Status }

	t.Run("Idle", func(t *testing.T) {
		c := e.MustLogin(t, e.Admin)
		e.Clock.Advance(59 * time.Minute)
		if got := me(c); got != http.StatusOK {
			t.Fatalf("after 59 idle minutes: %d, want 200", got)
		}
		e.Clock.Advance(59 * time.Minute) // used a minute ago: idle time starts again
		if got := me(c); got != http.StatusOK {
			t.Fatalf("59 minutes after the last use: %d, want 200", got)
		}
		e.Clock.Advance(61 * time.Minute)
		if got := me(c); got != http.StatusUnauthorized {
			t.Fatalf("61 idle minutes: %d, want 401", got)
		}
	})

	t.Run("Absolute", func(t *testing.T) {
		c := e.MustLogin(t, e.Admin)
		for i := 0; i < 3; i++ {
			e.Clock.Advance(50 * time.Minute)
			if got := me(c); got != http.StatusOK {
				t.Fatalf("after %d minutes of use: %d, want 200", (i+1)*50, got)
			}
		}
		e.Clock.Advance(31 * time.Minute) // 3h01 after sign-in, though used 31 minutes ago
		if got := me(c); got != http.StatusUnauthorized {
			t.Fatalf("past the maximum age: %d, want 401", got)
		}
		tok, _ := auth.ParseSessionToken(c)
		if _, _, err := e.DB.Session(context.Background(), tok.ID); booking.ErrorKind(err) != booking.ENOTFOUND {
			t.Errorf("expired session row: err = %v, want it deleted", err)
		}
	})
}

func TestStaffSessionRotationAndLogout(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	me := func(cookie string) int { return e.Do(t, cookie, http.MethodGet, "/api/v1/staff/me", nil).Status }

	first := e.MustLogin(t, e.Admin)
	// Sign in again from the same browser: a new session, the old one ends.
	r := e.Do(t, first, http.MethodPost, "/api/v1/staff/login", map[string]string{"email": e.Admin.Email, "password": StaffPassword})
	if r.Status != http.StatusOK {
		t.Fatalf("second login: %d %s", r.Status, r.Body)
	}
	var second string
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == httpx.SessionCookie {
			second = c.Value
		}
	}
	if second == "" || second == first {
		t.Fatalf("second login cookie %q, want a new session (first %q)", second, first)
	}
	if got := me(first); got != http.StatusUnauthorized {
		t.Errorf("old session after a new login: %d, want 401", got)
	}
	if got := me(second); got != http.StatusOK {
		t.Errorf("new session: %d, want 200", got)
	}

	// A forged secret for a real id is refused.
	tok, _ := auth.ParseSessionToken(second)
	if got := me(tok.ID + ".forged"); got != http.StatusUnauthorized {
		t.Errorf("forged secret: %d, want 401", got)
	}

	r = e.Do(t, second, http.MethodPost, "/api/v1/staff/logout", nil)
	if r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	if !strings.Contains(r.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("logout Set-Cookie = %q, want the cookie cleared", r.Header.Get("Set-Cookie"))
	}
	if _, _, err := e.DB.Session(context.Background(), tok.ID); booking.ErrorKind(err) != booking.ENOTFOUND {
		t.Errorf("session row after logout: err = %v, want deleted", err)
	}
	if got := me(second); got != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", got)
	}
}

func TestStaffDisabledUser(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	c := e.MustLogin(t, e.Mei)
	if err := e.DB.DisableUser(context.Background(), e.Mei.Email); err != nil {
		t.Fatal(err)
	}
	if got := e.Do(t, c, http.MethodGet, "/api/v1/staff/me", nil).Status; got != http.StatusUnauthorized {
		t.Errorf("session of a disabled user: %d, want 401", got)
	}
	if r, _ := e.Login(t, e.Mei.Email, StaffPassword); r.Status != http.StatusUnauthorized {
		t.Errorf("login of a disabled user: %d, want 401", r.Status)
	}
}

func TestStaffLoginThrottle(t *testing.T) {
	const limit = 3
	trusted := httpx.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}

	t.Run("PerAddress", func(t *testing.T) {
		e := MustOpenStaffEnv(t, StaffOptions{LoginsPerMinute: limit, Config: trusted})
		from := []string{"X-Forwarded-For", "203.0.113.7"}
		for i := 0; i < limit; i++ {
			// Different accounts, same address.
			if r, _ := e.Login(t, strconv.Itoa(i)+"@example.com", "wrong password!", from...); r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d, want 401", i+1, r.Status)
			}
		}
		r, _ := e.Login(t, e.Admin.Email, StaffPassword, from...)
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("after %d failures: %d, want 429", limit, r.Status)
		}
		if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
			t.Errorf("Retry-After = %q, want 1..60 seconds", r.Header.Get("Retry-After"))
		}
		if r, _ := e.Login(t, e.Admin.Email, StaffPassword, "X-Forwarded-For", "198.51.100.1"); r.Status != http.StatusOK {
			t.Errorf("another address: %d, want 200", r.Status)
		}
		e.Clock.Advance(time.Minute)
		if r, _ := e.Login(t, e.Admin.Email, StaffPassword, from...); r.Status != http.StatusOK {
			t.Errorf("a minute later: %d, want 200", r.Status)
		}
	})

	t.Run("SuccessDoesNotCount", func(t *testing.T) {
		e := MustOpenStaffEnv(t, StaffOptions{LoginsPerMinute: limit})
		for i := 0; i < limit+2; i++ {
			if r, _ := e.Login(t, e.Admin.Email, StaffPassword); r.Status != http.StatusOK {
				t.Fatalf("login %d: %d, want 200", i+1, r.Status)
			}
		}
	})
}

func TestStaffCrossOriginRefused(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	c := e.MustLogin(t, e.Admin)
	b := e.MustStaffBook(t, c, VirtualRequest("2026-12-02T10:00:00+08:00", "mei"))
	for name, headers := range map[string][]string{
		"SecFetchSite": {"Sec-Fetch-Site", "cross-site"},
		"Origin":       {"Origin", "https://evil.example"},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.Do(t, c, http.MethodPost, "/api/v1/staff/bookings/"+b.ID+"/cancel", nil, headers...)
			if r.Status != http.StatusForbidden {
				t.Fatalf("cross-origin cancel with a valid cookie: %d, want 403; body %s", r.Status, r.Body)
			}
		})
	}
	r := e.Do(t, c, http.MethodGet, "/api/v1/staff/bookings/"+b.ID, nil)
	var got Booking
	r.JSON(t, &got)
	if got.Status != "confirmed" {
		t.Errorf("booking status after refused requests = %q, want confirmed", got.Status)
	}
	// The same request from the same origin goes through.
	r = e.Do(t, c, http.MethodPost, "/api/v1/staff/bookings/"+b.ID+"/cancel", nil, "Sec-Fetch-Site", "same-origin")
	if r.Status != http.StatusOK {
		t.Errorf("same-origin cancel: %d, want 200; body %s", r.Status, r.Body)
	}
}

func TestStaffSecurityHeaders(t *testing.T) {
	e := MustOpenStaffEnv(t, StaffOptions{})
	c := e.MustLogin(t, e.Admin)
	for _, tc := range []struct {
		name, cookie, method, path string
		body                       any
	}{
		{"Login", "", http.MethodPost, "/api/v1/staff/login", map[string]string{"email": "x@example.com", "password": "nope"}},
		{"Unauthorized", "", http.MethodGet, "/api/v1/staff/me", nil},
		{"Me", c, http.MethodGet, "/api/v1/staff/me", nil},
		{"UnknownStaffPath", c, http.MethodGet, "/api/v1/staff/nothing-here", nil},
		{"Customer", "", http.MethodGet, "/api/v1/atelier", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := e.Do(t, tc.cookie, tc.method, tc.path, tc.body).Header
			csp := h.Get("Content-Security-Policy")
			if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q, want one with frame-ancestors 'none' and no unsafe-inline", csp)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if got := h.Get("Referrer-Policy"); got == "" {
				t.Error("no Referrer-Policy")
			}
		})
	}
}

// TestStrictTransportSecurity: with an https public URL every response,
// API, page or error, tells browsers to use https only; with http none
// does (a browser ignores it over http, and it would pin a demo host).
func TestStrictTransportSecurity(t *testing.T) {
	paths := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/atelier"},
		{http.MethodGet, "/api/v1/nothing-here"},
		{http.MethodGet, "/api/v1/staff/me"},
		{http.MethodPost, "/api/v1/staff/login"},
		{http.MethodGet, "/healthz"},
	}
	for _, tc := range []struct {
		name, publicURL, want string
	}{
		{"HTTPS", "https://atelier.example", httpx.StrictTransportSecurity},
		{"HTTPSUpperCase", "HTTPS://atelier.example", httpx.StrictTransportSecurity},
		{"HTTP", "http://127.0.0.1:8080", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := MustOpenEnv(t, httpx.Config{PublicURL: tc.publicURL})
			for _, p := range paths {
				got := e.Do(t, p.method, p.path, nil).Header.Get("Strict-Transport-Security")
				if got != tc.want {
					t.Errorf("%s %s: Strict-Transport-Security %q, want %q", p.method, p.path, got, tc.want)
				}
			}
		})
	}
	if !strings.Contains(httpx.StrictTransportSecurity, "max-age=31536000") {
		t.Errorf("Strict-Transport-Security %q, want a max-age of a year", httpx.StrictTransportSecurity)
	}
}
