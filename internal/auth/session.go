package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// SessionToken is the value of a session cookie: "id.secret". The id
// finds the stored row; the secret proves possession and is stored only
// as its SHA-256, so a leaked database holds no usable cookie.
type SessionToken struct {
	ID     string
	Secret string
}

var tokenEncoding = base64.RawURLEncoding

// NewSessionToken returns a fresh token with a 128-bit id and a 256-bit
// secret.
func NewSessionToken() SessionToken {
	id := make([]byte, 16)
	secret := make([]byte, 32)
	rand.Read(id) // never fails (crypto/rand)
	rand.Read(secret)
	return SessionToken{ID: tokenEncoding.EncodeToString(id), Secret: tokenEncoding.EncodeToString(secret)}
}

// String is the cookie value.
func (t SessionToken) String() string { return t.ID + "." + t.Secret }

// SecretHash is what is stored of the secret.
func (t SessionToken) SecretHash() []byte { return HashSecret(t.Secret) }

// ParseSessionToken splits a cookie value; ok is false when it is not
// of the form "id.secret".
func ParseSessionToken(v string) (t SessionToken, ok bool) {
	id, secret, found := strings.Cut(v, ".")
	if !found || id == "" || secret == "" || len(v) > 256 || strings.Contains(secret, ".") {
		return SessionToken{}, false
	}
	return SessionToken{ID: id, Secret: secret}, true
}

// HashSecret returns the SHA-256 of a session secret.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// SecretMatches compares secret (a session secret, manage token or feed
// token) with its stored SHA-256 in constant time. An empty secret or a
// hash of the wrong size never matches.
func SecretMatches(secret string, hash []byte) bool {
	if secret == "" || len(hash) != sha256.Size {
		return false
	}
	return subtle.ConstantTimeCompare(HashSecret(secret), hash) == 1
}

// NewSecret returns 32 random bytes, base64url encoded (a manage token or
// a feed URL token), and its SHA-256, which is all that is stored.
func NewSecret() (secret string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	secret = tokenEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}
