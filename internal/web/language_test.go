package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLanguageChoice: the customer pages follow ?lang=, then the cookie
// that choice sets, then Accept-Language, among the demo's languages
// (en, zh-Hans); <html lang> and Content-Language say which; every
// customer page has the switch, plain links that keep the page's address;
// staff pages stay English.
func TestLanguageChoice(t *testing.T) {
	env := MustOpenEnv(t)
	for _, tc := range []struct {
		name       string
		path       string
		headers    []string
		wantLang   string
		wantText   string
		wantCookie bool
	}{
		{"Default", "/", nil, "en-GB", "Opening hours", false},
		{"AcceptLanguage", "/", []string{"Accept-Language", "zh-SG,zh;q=0.9,en;q=0.4"}, "zh-Hans", "营业时间", false},
		{"AcceptPrefersEnglish", "/", []string{"Accept-Language", "en-SG,zh-CN;q=0.5"}, "en-GB", "Opening hours", false},
		{"Query", "/book?lang=zh-Hans", []string{"Accept-Language", "en"}, "zh-Hans", "选择项目", true},
		{"Cookie", "/book", []string{"Cookie", "lang=zh-Hans", "Accept-Language", "en"}, "zh-Hans", "选择项目", false},
		{"QueryBeatsCookie", "/book?lang=en", []string{"Cookie", "lang=zh-Hans"}, "en-GB", "Choose an appointment", true},
		{"QueryTag", "/book?lang=zh-CN", []string{"Accept-Language", "en"}, "zh-Hans", "选择项目", true},
		{"UnknownQueryIgnored", "/book?lang=fr", []string{"Accept-Language", "zh-CN"}, "zh-Hans", "选择项目", false},
		{"ErrorPage", "/no-such-page", []string{"Accept-Language", "zh-CN"}, "zh-Hans", "找不到这个页面", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := env.Send(t, http.MethodGet, tc.path, "", "", tc.headers...)
			body := html.UnescapeString(p.Body)
			if !strings.Contains(body, `<html lang="`+tc.wantLang+`">`) || !strings.Contains(body, tc.wantText) {
				t.Errorf("%s: want lang %s and %q:\n%s", tc.path, tc.wantLang, tc.wantText, mainOf(body))
			}
			if got := p.Header.Get("Content-Language"); got != tc.wantLang {
				t.Errorf("Content-Language %q, want %q", got, tc.wantLang)
			}
			if !strings.Contains(p.Header.Get("Vary"), "Accept-Language") {
				t.Errorf("Vary %q lacks Accept-Language", p.Header.Get("Vary"))
			}
			cookie := strings.Join(p.Header.Values("Set-Cookie"), "\n")
			if has := strings.Contains(cookie, "lang="); has != tc.wantCookie {
				t.Errorf("Set-Cookie %q, want a lang cookie: %v", cookie, tc.wantCookie)
			}
			if tc.wantCookie && !strings.Contains(cookie, "lang="+strings.TrimSuffix(tc.wantLang, "-GB")+";") {
				t.Errorf("lang cookie %q does not keep the language's name", cookie)
			}
			if tc.wantCookie && (!strings.Contains(cookie, "SameSite=Lax") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "Path=/")) {
				t.Errorf("lang cookie %q", cookie)
			}
		})
	}

	t.Run("SwitchKeepsThePage", func(t *testing.T) {
		p := env.MustGet(t, "/book?service=bespoke-design&tz=Europe%2FLondon")
		for _, lang := range []string{"en", "zh-Hans"} {
			v := url.Values{"service": {"bespoke-design"}, "tz": {"Europe/London"}, "lang": {lang}}
			want := `href="/book?` + html.EscapeString(v.Encode()) + `"`
			if !strings.Contains(p.Body, want) {
				t.Errorf("no switch link %s in:\n%s", want, p.Body[:min(len(p.Body), 3000)])
			}
		}
		if !strings.Contains(p.Body, `lang="zh-Hans" hreflang="zh-Hans">简体中文</a>`) || !strings.Contains(p.Body, `aria-current="true">English</a>`) {
			t.Errorf("the switch does not name the languages in themselves")
		}
	})

	t.Run("StaffPagesEnglish", func(t *testing.T) {
		env.MustCreateUser(t, "admin@example.com", "Admin", "")
		c := env.MustSignIn(t, "admin@example.com")
		p := env.Send(t, http.MethodGet, "/staff", "", "", "Cookie", c+"; lang=zh-Hans", "Accept-Language", "zh-CN")
		if !strings.Contains(p.Body, `<html lang="en-GB">`) || strings.Contains(p.Body, "简体中文") {
			t.Errorf("a staff page in Chinese or with the switch:\n%s", mainOf(p.Body))
		}
	})
}

// TestBookingInChinese: the booking flow in zh-Hans books a customer whose
// booking keeps zh-Hans; its manage page opens in Chinese even in an
// English browser (the booking's language), unless the visitor chooses
// another; the staff booking page shows the language.
func TestBookingInChinese(t *testing.T) {
	env := MustOpenEnv(t)
	start := time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore)
	zh := []string{"Cookie", "lang=zh-Hans"}
	details := url.Values{"service": {"ring-sizing"}, "mode": {"in_person"}, "artisan": {"siti"},
		"tz": {"Asia/Singapore"}, "start": {start.Format(time.RFC3339)}}
	p := env.Send(t, http.MethodGet, "/book/details?"+details.Encode(), "", "", zh...)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("details: %d", p.Status)
	}
	p = env.Send(t, http.MethodGet, p.Location, "", "", zh...)
	body := html.UnescapeString(p.Body)
	for _, want := range []string{"您的资料", "2026年12月12日 星期六 10:30至11:00", "确认预约", "到工作室面谈"} {
		if !strings.Contains(body, want) {
			t.Errorf("details page lacks %q:\n%s", want, mainOf(body))
		}
	}
	form := postedForm(t, p.Body)
	form.Set("name", "林美玲")
	form.Set("email", "meiling@example.com")
	post := env.Send(t, http.MethodPost, "/book/details", "application/x-www-form-urlencoded", form.Encode(), zh...)
	if post.Status != http.StatusSeeOther || !strings.HasPrefix(post.Location, "/bookings/") {
		t.Fatalf("booking: %d %s\n%s", post.Status, post.Location, mainOf(post.Body))
	}
	u, _ := url.Parse(post.Location)
	id := strings.TrimPrefix(u.Path, "/bookings/")
	if got := mustStored(t, env, id); got.Customer.Language != "zh-Hans" {
		t.Fatalf("stored language %q, want zh-Hans", got.Customer.Language)
	}
	m := env.Send(t, http.MethodGet, post.Location, "", "", "Accept-Language", "en-GB")
	if b := html.UnescapeString(m.Body); !strings.Contains(b, `<html lang="zh-Hans">`) || !strings.Contains(b, "您的预约已确认") || !strings.Contains(b, "请带上") {
		t.Errorf("manage page in an English browser is not in the booking's language:\n%s", mainOf(b))
	}
	m = env.Send(t, http.MethodGet, post.Location+"&lang=en", "", "")
	if !strings.Contains(m.Body, "Your appointment is confirmed") {
		t.Errorf("?lang=en does not show the manage page in English")
	}

	// A form error in Chinese, beside its field.
	form.Set("email", "not-an-address")
	form.Set("key", "")
	bad := env.Send(t, http.MethodPost, "/book/details", "application/x-www-form-urlencoded", form.Encode(), zh...)
	if b := html.UnescapeString(bad.Body); bad.Status != http.StatusUnprocessableEntity || !strings.Contains(b, "请填写有效的电子邮箱地址。") || !strings.Contains(b, "请检查标出的栏位。") {
		t.Errorf("invalid e-mail: %d\n%s", bad.Status, mainOf(b))
	}

	env.MustCreateUser(t, "admin@example.com", "Admin", "")
	c := env.MustSignIn(t, "admin@example.com")
	s := env.Send(t, http.MethodGet, "/staff/bookings/"+id, "", "", "Cookie", c)
	if !strings.Contains(html.UnescapeString(s.Body), "简体中文 (zh-Hans)") {
		t.Errorf("the staff booking page does not show the customer's language:\n%s", mainOf(s.Body))
	}
}

// MustSignIn signs email in (password StaffPassword) and returns the
// session cookie as name=value.
func (e *Env) MustSignIn(tb testing.TB, email string) string {
	tb.Helper()
	p := e.MustPost(tb, "/staff/login", url.Values{"email": {email}, "password": {StaffPassword}})
	if p.Status != http.StatusSeeOther {
		tb.Fatalf("sign-in of %s: %d", email, p.Status)
	}
	return strings.Split(p.Header.Get("Set-Cookie"), ";")[0]
}
