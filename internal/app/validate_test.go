package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/atelier-app/atelier/internal/auth"
)

func TestValidEmail(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"Plain", "ana@example.com", true},
		{"Plus", "ana+rings@example.co.uk", true},
		{"Empty", "", false},
		{"NoAt", "ana.example.com", false},
		{"NoDomainDot", "ana@localhost", false},
		{"DisplayName", "Ana <ana@example.com>", false},
		{"Space", "ana @example.com", false},
		{"TrailingDot", "ana@example.com.", false},
		{"DoubleDot", "ana@example..com", false},
		{"IPLiteral", "ana@[127.0.0.1]", false},
		{"Newline", "ana@example.com\nBcc: x@y.z", false},
		{"TooLong", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".com", false},
		{"LongLocal", strings.Repeat("a", 65) + "@example.com", false},
		{"IDNDomain", "anna@bücher.de", true},
		{"IDNDomainCJK", "info@例え.テスト", true},
		{"ALabelDomain", "anna@xn--bcher-kva.de", true},
		{"BadIDNDomain", "anna@bü_cher.de", false},
		{"BadALabel", "anna@xn--zz-.de", false},
		{"IDNHyphenStart", "anna@-bücher.de", false},
		{"UTF8LocalRefused", "zoë@example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validEmail(tt.in, false) == ""; got != tt.ok {
				t.Errorf("validEmail(%q) ok = %v, want %v (%s)", tt.in, got, tt.ok, validEmail(tt.in, false))
			}
		})
	}
	t.Run("UTF8LocalWithSMTPUTF8", func(t *testing.T) {
		if m := validEmail("zoë@bücher.de", true); m != "" {
			t.Errorf("validEmail with SMTPUTF8 = %q, want ok", m)
		}
		if m := validEmail("zoë@bücher.de", false); !strings.Contains(m, "before the @") {
			t.Errorf("validEmail without SMTPUTF8 = %q, want the reason", m)
		}
	})
}

func TestValidPhone(t *testing.T) {
	for in, ok := range map[string]bool{
		"":                true,
		"+65 9123 4567":   true,
		"(020) 7946-0018": true,
		"call me":         false,
		"+-()":            false,
		"12345678901234567890123456789012345678901": false,
	} {
		if got := validPhone(in) == ""; got != ok {
			t.Errorf("validPhone(%q) ok = %v, want %v", in, got, ok)
		}
	}
}

func TestValidName(t *testing.T) {
	for in, ok := range map[string]bool{
		"Ana Lim":                true,
		"Zoë Ō'Brien-Łukasz":     true,
		strings.Repeat("é", 120): true,
		strings.Repeat("é", 121): false,
		"":                       false,
		"   ":                    false,
		"Ana\tLim":               false,
		"Ana\u2028Lim":           false,
		"Ana\u0085Lim":           false,
	} {
		if got := validName(in) == ""; got != ok {
			t.Errorf("validName(%q) ok = %v, want %v", in, got, ok)
		}
	}
}

func TestManageTokens(t *testing.T) {
	// Booking ids: booking.TestNewID.
	tok, hash := newManageToken()
	if len(tok) != 43 || strings.ContainsAny(tok, "+/=") {
		t.Errorf("token %q is not 32 bytes of base64url", tok)
	}
	if !auth.SecretMatches(tok, hash) || auth.SecretMatches(tok+"x", hash) || auth.SecretMatches("", hash) || auth.SecretMatches(tok, nil) {
		t.Error("SecretMatches accepts a wrong token or refuses the right one")
	}
}

func TestSeal(t *testing.T) {
	msg, aad := []byte(`{"manage_token":"secret"}`), []byte("request")
	sealed, err := seal(sealKey("k1"), msg, aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("secret")) {
		t.Fatal("sealed response holds the plaintext")
	}
	if got, err := open(sealKey("k1"), sealed, aad); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := open(sealKey("k2"), sealed, aad); err == nil {
		t.Error("another key opened the response")
	}
	if _, err := open(sealKey("k1"), sealed, []byte("other request")); err == nil {
		t.Error("the response opened under another request hash")
	}
	if _, err := open(sealKey("k1"), sealed[:5], aad); err == nil {
		t.Error("a truncated response opened")
	}
}

func TestValidIdempotencyKey(t *testing.T) {
	for in, ok := range map[string]bool{
		"order-42":               true,
		strings.Repeat("k", 255): true,
		strings.Repeat("k", 256): false,
		"":                       false,
		"   ":                    false,
		"tab\there":              false,
		"naïve":                  false,
	} {
		if got := ValidIdempotencyKey(in); got != ok {
			t.Errorf("ValidIdempotencyKey(%q) = %v, want %v", in, got, ok)
		}
	}
}
