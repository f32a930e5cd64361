package mailaddr_test

import (
	"errors"
	"testing"

	"github.com/atelier-app/atelier/internal/mailaddr"
)

func TestToASCII(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		err            bool
	}{
		{"ASCII", "Ana.Lim+rings@Example.com", "Ana.Lim+rings@Example.com", false},
		{"German", "anna@bücher.de", "anna@xn--bcher-kva.de", false},
		{"UpperCaseMapped", "anna@BÜCHER.de", "anna@xn--bcher-kva.de", false},
		{"Japanese", "info@例え.テスト", "info@xn--r8jz45g.xn--zckzah", false},
		{"UTF8LocalKept", "zoë@bücher.de", "zoë@xn--bcher-kva.de", false},
		{"ALabelChecked", "a@xn--bcher-kva.de", "a@xn--bcher-kva.de", false},
		{"BadALabel", "a@xn--zz-.de", "", true},
		{"LeadingHyphen", "a@-bücher.de", "", true},
		{"Space", "a@bü cher.de", "", true},
		{"LongLabel", "a@" + repeat("ü", 64) + ".de", "", true},
		{"NoAt", "bücher.de", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mailaddr.ToASCII(tc.in)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("ToASCII(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
			}
			if err != nil && tc.name != "NoAt" && !errors.Is(err, mailaddr.ErrDomain) {
				t.Errorf("error %v is not ErrDomain", err)
			}
		})
	}
}

func TestUTF8Local(t *testing.T) {
	for in, want := range map[string]bool{
		"ana@example.com": false,
		"anna@bücher.de":  false,
		"zoë@example.com": true,
		"用户@例子.广告":        true,
	} {
		if got := mailaddr.UTF8Local(in); got != want {
			t.Errorf("UTF8Local(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestMailto(t *testing.T) {
	for in, want := range map[string]string{
		"anna@example.org":  "mailto:anna@example.org",
		"ana+rings@x.co.uk": "mailto:ana+rings@x.co.uk",
		"anna@bücher.de":    "mailto:anna@xn--bcher-kva.de",
		"zoë@bücher.de":     "mailto:zo%C3%AB@xn--bcher-kva.de",
		" a?b@example.org ": "mailto:a%3Fb@example.org",
	} {
		if got := mailaddr.Mailto(in); got != want {
			t.Errorf("Mailto(%q) = %q, want %q", in, got, want)
		}
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"ana@example.com", "ana@example.com", true},
		{"Ana@Example.COM", "ana@example.com", true},
		{" ana@example.com ", "ana@example.com", true},
		{"ana@bücher.de", "ana@xn--bcher-kva.de", true},
		{"ana@BÜCHER.de", "ana@bücher.de", true},
		{"ana@example.com.", "ana@example.com", true},
		{"ana@example.com", "ana@example.org", false},
		{"ana@example.com", "anna@example.com", false},
		{"ana@example.com", "ana@mail.example.com", false},
		{"ana@example.com", "", false},
		{"ana", "ana", false},
		{"ana@xn--zz.de", "ana@xn--zz.de", false},
	}
	for _, tt := range tests {
		if got := mailaddr.Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
