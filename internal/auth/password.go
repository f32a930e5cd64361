package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLength is the least number of characters of a password.
const MinPasswordLength = 12

// maxPasswordLength bounds the work an attacker can ask of the hash.
const maxPasswordLength = 1024

// Params are the argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams are the production costs: 64 MiB, 2 passes, as RFC 9106
// recommends for memory-constrained servers.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

// TestParams are cheap parameters for tests. Never use them in production.
var TestParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// ErrPasswordTooShort is returned by ValidatePassword.
var ErrPasswordTooShort = fmt.Errorf("a password needs at least %d characters", MinPasswordLength)

// ValidatePassword checks a new password's length.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return ErrPasswordTooShort
	case len(pw) > maxPasswordLength:
		return fmt.Errorf("a password has at most %d bytes", maxPasswordLength)
	}
	return nil
}

var b64 = base64.RawStdEncoding

// HashPassword hashes pw with argon2id and returns the PHC string
// "$argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>".
func HashPassword(pw string, p Params) (string, error) {
	if len(pw) > maxPasswordLength {
		return "", errors.New("password too long")
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails (crypto/rand)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC string encoded. The
// comparison is constant-time. An unparsable hash is an error.
func VerifyPassword(encoded, pw string) (bool, error) {
	p, salt, key, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	if len(pw) > maxPasswordLength {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// DummyVerify spends the time of one verification with params p, so that
// a login for an unknown e-mail address takes as long as a wrong password.
func DummyVerify(pw string, p Params) {
	salt := make([]byte, p.SaltLen)
	argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

func parsePHC(s string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("auth: not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("auth: unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("auth: argon2 parameters: %w", err)
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 4<<20 || p.Time > 64 {
		return p, nil, nil, errors.New("auth: argon2 parameters out of range")
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("auth: argon2 salt: %w", err)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, errors.New("auth: argon2 hash is malformed")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
