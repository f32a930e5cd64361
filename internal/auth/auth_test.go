package auth_test

import (
	"strings"
	"testing"

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
