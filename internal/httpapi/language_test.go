package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
)

// withLanguages offers en and zh-Hans, as the demo does.
func withLanguages(tb testing.TB) func(*app.Deps) {
	c, err := i18n.New([]string{"en", "zh-Hans"}, "")
	if err != nil {
		tb.Fatal(err)
	}
	return func(d *app.Deps) { d.Languages = c }
}

// TestCustomerLanguage: a booking keeps customer.language as sent, or the
// best of Accept-Language among the atelier's languages, or the default;
// a language the atelier does not offer is a 422 on customer.language.
func TestCustomerLanguage(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{}, withLanguages(t))
	req := func(start, lang string) map[string]any {
		r := Request(start)
		if lang != "" {
			r["customer"].(map[string]any)["language"] = lang
		}
		return r
	}
	for _, tc := range []struct {
		name, start, lang, accept, want string
	}{
		{"Given", "2026-12-02T10:00:00+08:00", "zh-Hans", "en", "zh-Hans"},
		{"GivenInAnotherCase", "2026-12-02T12:00:00+08:00", "ZH-hans", "", "zh-Hans"},
		{"FromAcceptLanguage", "2026-12-02T14:00:00+08:00", "", "zh-SG,zh;q=0.8", "zh-Hans"},
		{"Default", "2026-12-02T16:00:00+08:00", "", "fr-FR", "en"},
		// A tag that means a configured language is that language.
		{"RegionalTag", "2026-12-04T14:00:00+08:00", "zh-CN", "", "zh-Hans"},
		{"LanguageOnly", "2026-12-04T10:00:00+08:00", "zh", "", "zh-Hans"},
		{"EnglishRegion", "2026-12-04T12:00:00+08:00", "en-US", "zh", "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := MustCreateBooking(t, e, req(tc.start, tc.lang), "Accept-Language", tc.accept)
			if b.Customer.Language != tc.want {
				t.Errorf("language %q, want %q", b.Customer.Language, tc.want)
			}
			r := e.Do(t, http.MethodGet, "/api/v1/bookings/"+b.ID+"?token="+b.ManageToken, nil)
			var got Booking
			r.JSON(t, &got)
			if got.Customer.Language != tc.want {
				t.Errorf("read back %q, want %q", got.Customer.Language, tc.want)
			}
		})
	}
	// Traditional Chinese is not simplified Chinese: refused as French is.
	for _, lang := range []string{"fr", "zh-TW", "zh-Hant", "not a tag"} {
		r := e.Do(t, http.MethodPost, "/api/v1/bookings", req("2026-12-03T10:00:00+08:00", lang))
		if p := r.Problem(t); r.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Errors["customer.language"], "en, zh-Hans") {
			t.Errorf("language %q: %d %+v", lang, r.Status, p)
		}
	}
}

// TestProblemInRequestLanguage: a problem's detail and field errors are in
// the request's language; code, type and title stay for programs.
func TestProblemInRequestLanguage(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{}, withLanguages(t))
	bad := Request("2026-12-02T10:00:00+08:00")
	bad["customer"].(map[string]any)["email"] = "not an address"
	r := e.Do(t, http.MethodPost, "/api/v1/bookings", bad, "Accept-Language", "zh-CN")
	p := r.Problem(t)
	if r.Status != http.StatusUnprocessableEntity || p.Code != "invalid_request" || p.Errors["customer.email"] != "请填写有效的电子邮箱地址。" ||
		p.Detail != "请检查您填写的内容。" || r.Header.Get("Content-Language") != "zh-Hans" {
		t.Errorf("Chinese problem: %d %+v (Content-Language %q)", r.Status, p, r.Header.Get("Content-Language"))
	}
	r = e.Do(t, http.MethodPost, "/api/v1/bookings", bad)
	if p := r.Problem(t); !strings.Contains(p.Errors["customer.email"], "e-mail") || r.Header.Get("Content-Language") != "en-GB" {
		t.Errorf("English problem: %+v", p)
	}

	MustCreateBooking(t, e, Request("2026-12-02T10:00:00+08:00"))
	r = e.Do(t, http.MethodPost, "/api/v1/bookings", Request("2026-12-02T10:00:00+08:00"), "Accept-Language", "zh-Hans")
	if p := r.Problem(t); r.Status != http.StatusConflict || p.Code != "slot_unavailable" || p.Detail != "这个时段刚刚被其他人预约了。" {
		t.Errorf("slot taken in Chinese: %d %+v", r.Status, p)
	}
}
