package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestEveryKeyInEveryLanguage fails on a message one shipped language has
// and another lacks, and on a plural message without the forms its
// language needs.
func TestEveryKeyInEveryLanguage(t *testing.T) {
	all := map[string]map[string]*goi18n.Message{}
	for _, name := range shipped {
		m, err := ids(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all[name] = m
	}
	for _, a := range shipped {
		for _, b := range shipped {
			for id := range all[a] {
				if _, ok := all[b][id]; !ok {
					t.Errorf("%s has %q, %s does not", a, id, b)
				}
			}
		}
	}
	for id, m := range all["en"] {
		plural := m.One != "" || m.Zero != "" || m.Few != ""
		if plural && (m.One == "" || m.Other == "") {
			t.Errorf("en %q: a plural message needs one and other", id)
		}
		if !plural && m.Other == "" {
			t.Errorf("en %q is empty", id)
		}
	}
	for id, m := range all["zh-Hans"] {
		if m.Other == "" {
			t.Errorf("zh-Hans %q has no text (Chinese has only the other form)", id)
		}
	}
}

// keyUse finds the message ids the code and templates ask for: T "id",
// T("id", N "id" n, N("id", n, and Tf/Nf forms.
var keyUse = regexp.MustCompile(`\b(?:T|N)\(?\s*"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// TestEveryUsedKeyExists scans the repository's Go files and templates for
// message ids and fails on any the catalogue lacks.
func TestEveryUsedKeyExists(t *testing.T) {
	en, err := ids("en")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == "node_modules" || strings.HasPrefix(n, ".") && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		ext := filepath.Ext(p)
		if ext != ".go" && ext != ".html" && ext != ".tmpl" || d.Name() == "i18n_test.go" {
			return nil
		}
		buf, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(buf), -1) {
			seen++
			if _, ok := en[m[1]]; !ok {
				rel, _ := filepath.Rel(root, p)
				t.Errorf("%s asks for %q, which the catalogue lacks", rel, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("found only %d message uses: the scan is broken", seen)
	}
}

func TestUnknownLanguageAndClock(t *testing.T) {
	if _, err := New([]string{"en", "fr"}, ""); err == nil || !strings.Contains(err.Error(), `"fr"`) {
		t.Errorf("fr: got %v, want an error naming it", err)
	}
	if _, err := New([]string{"en"}, "13h"); err == nil {
		t.Error("clock 13h accepted")
	}
	if _, err := New([]string{"en", "EN"}, ""); err == nil {
		t.Error("a language listed twice accepted")
	}
}

func TestNegotiate(t *testing.T) {
	c, err := New([]string{"en", "zh-Hans"}, "")
	if err != nil {
		t.Fatal(err)
	}
	only, err := New(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                     string
		c                        *Catalogue
		explicit, cookie, accept string
		want                     string
	}{
		{"Nothing", c, "", "", "", "en"},
		{"AcceptChineseSingapore", c, "", "", "zh-SG,zh;q=0.9,en;q=0.5", "zh-Hans"},
		{"AcceptChinaMainland", c, "", "", "zh-CN", "zh-Hans"},
		{"AcceptPrefersEnglish", c, "", "", "en-SG,zh-CN;q=0.8", "en"},
		{"AcceptUnknown", c, "", "", "fr-FR", "en"},
		{"CookieBeatsAccept", c, "", "zh-Hans", "en", "zh-Hans"},
		{"QueryBeatsCookie", c, "en", "zh-Hans", "zh-CN", "en"},
		{"UnconfiguredQueryIgnored", c, "fr", "zh-Hans", "", "zh-Hans"},
		{"LowerCaseQuery", c, "zh-hans", "", "", "zh-Hans"},
		{"QueryTagMeaningAConfiguredOne", c, "zh-CN", "", "en", "zh-Hans"},
		{"QueryEnglishVariant", c, "en-GB", "zh-Hans", "", "en"},
		{"QueryTraditionalIgnored", c, "zh-TW", "", "", "en"},
		{"NotConfigured", only, "zh-Hans", "zh-Hans", "zh-CN", "en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.c.Negotiate(tc.explicit, tc.cookie, tc.accept).Name(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	sg, _ := time.LoadLocation("Asia/Singapore")
	at := time.Date(2026, 12, 8, 14, 30, 0, 0, sg)
	end := at.Add(90 * time.Minute)
	for _, tc := range []struct {
		lang  string
		clock Clock
		span  string
		dur   string
	}{
		{"en", "", "Tuesday 8 December 2026, 2:30 pm – 4:00 pm", "1 hour 30 minutes"},
		{"en", Clock24, "Tuesday 8 December 2026, 14:30 – 16:00", "1 hour 30 minutes"},
		{"zh-Hans", "", "2026年12月8日 星期二 14:30至16:00", "1小时30分钟"},
		{"zh-Hans", Clock12, "2026年12月8日 星期二 下午2:30至下午4:00", "1小时30分钟"},
	} {
		t.Run(tc.lang+string(tc.clock), func(t *testing.T) {
			c, err := New(shipped, tc.clock)
			if err != nil {
				t.Fatal(err)
			}
			l := c.Lang(tc.lang)
			if got := l.Span(at, end); got != tc.span {
				t.Errorf("Span: got %q, want %q", got, tc.span)
			}
			if got := l.Duration(90); got != tc.dur {
				t.Errorf("Duration: got %q, want %q", got, tc.dur)
			}
		})
	}
	en := English()
	for _, tc := range []struct {
		min  int
		want string
	}{{1, "1 minute"}, {45, "45 minutes"}, {60, "1 hour"}, {120, "2 hours"}, {61, "1 hour 1 minute"}} {
		if got := en.Duration(tc.min); got != tc.want {
			t.Errorf("Duration(%d): got %q, want %q", tc.min, got, tc.want)
		}
	}
	if got := en.ClockTime(24 * 60); got != "midnight" {
		t.Errorf("24:00: got %q", got)
	}
	if got := en.Join([]string{"a", "b", "c"}); got != "a, b and c" {
		t.Errorf("Join: %q", got)
	}
	zh, _ := New(shipped, "")
	if got := zh.Lang("zh-Hans").Join([]string{"甲", "乙", "丙"}); got != "甲、乙和丙" {
		t.Errorf("zh Join: %q", got)
	}
	if got := en.T("no.such.key"); got != "[no.such.key]" {
		t.Errorf("missing key: %q", got)
	}
	if !slices.Equal(Shipped(), []string{"en", "zh-Hans"}) {
		t.Error(Shipped())
	}
}
