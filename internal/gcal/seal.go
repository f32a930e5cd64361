package gcal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/atelier-app/atelier/internal/calsync"
	"golang.org/x/oauth2"
)

// TokenKeySize is the size of the key that seals OAuth tokens at rest
// (AES-256-GCM).
const TokenKeySize = 32

// sealedPrefix marks a sealed token value in the store; a value without it
// was stored in clear (before sealing was turned on).
const sealedPrefix = "sealed.v1."

// ParseTokenKey reads a token sealing key: 32 bytes written as 64
// hexadecimal digits or in base64 (standard or URL alphabet, padded or
// not), surrounding white space ignored. `openssl rand -base64 32` makes
// one.
func ParseTokenKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*TokenKeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == TokenKeySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("gcal: a token key must be %d bytes in hex or base64 (openssl rand -base64 %d)", TokenKeySize, TokenKeySize)
}

// SealTokens returns store with OAuth tokens sealed at rest: the access and
// refresh tokens are encrypted with AES-256-GCM under key, bound to the
// artisan and the field (a value copied to another row does not open),
// before they reach store, and opened when read back. Everything else
// passes through. Tokens stored in clear before sealing was turned on are
// still read, and sealed at their next save (the next access-token
// refresh). A token sealed under another key cannot be read: that
// artisan must connect again.
func SealTokens(store calsync.Store, key []byte) (calsync.Store, error) {
	if len(key) != TokenKeySize {
		return nil, fmt.Errorf("gcal: token key is %d bytes, want %d", len(key), TokenKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gcal: token key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcal: token key: %w", err)
	}
	return &sealedStore{Store: store, aead: aead}, nil
}

type sealedStore struct {
	calsync.Store

	aead cipher.AEAD
}

// OAuthToken returns the artisan's token with its secrets opened.
func (s *sealedStore) OAuthToken(ctx context.Context, artisanID string) (*oauth2.Token, error) {
	tok, err := s.Store.OAuthToken(ctx, artisanID)
	if err != nil || tok == nil {
		return tok, err
	}
	out := *tok
	if out.AccessToken, err = s.open(artisanID, "access", tok.AccessToken); err != nil {
		return nil, err
	}
	if out.RefreshToken, err = s.open(artisanID, "refresh", tok.RefreshToken); err != nil {
		return nil, err
	}
	return &out, nil
}

// SaveOAuthToken stores the artisan's token with its secrets sealed.
func (s *sealedStore) SaveOAuthToken(ctx context.Context, artisanID string, tok *oauth2.Token) error {
	if tok == nil {
		return s.Store.SaveOAuthToken(ctx, artisanID, nil)
	}
	sealed := *tok
	sealed.AccessToken = s.seal(artisanID, "access", tok.AccessToken)
	sealed.RefreshToken = s.seal(artisanID, "refresh", tok.RefreshToken)
	return s.Store.SaveOAuthToken(ctx, artisanID, &sealed)
}

func (s *sealedStore) seal(artisanID, field, v string) string {
	if v == "" {
		return ""
	}
	nonce := randomBytes(s.aead.NonceSize())
	ct := s.aead.Seal(nonce, nonce, []byte(v), aad(artisanID, field))
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(ct)
}

// errTokenKey is the cause of a sealed token that does not open. It comes
// with errNotConnected: the artisan's sync stops until they connect again.
var errTokenKey = errors.New("the stored OAuth token does not open with the configured token key (was the key changed?); connect the Google account again")

func (s *sealedStore) open(artisanID, field, v string) (string, error) {
	rest, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return v, nil // stored in clear before sealing was turned on
	}
	ct, err := base64.RawURLEncoding.DecodeString(rest)
	n := s.aead.NonceSize()
	if err != nil || len(ct) < n {
		return "", fmt.Errorf("gcal: artisan %s: %w: %w", artisanID, errNotConnected, errTokenKey)
	}
	pt, err := s.aead.Open(nil, ct[:n], ct[n:], aad(artisanID, field))
	if err != nil {
		return "", fmt.Errorf("gcal: artisan %s: %w: %w", artisanID, errNotConnected, errTokenKey)
	}
	return string(pt), nil
}

func aad(artisanID, field string) []byte {
	return []byte("atelier gcal oauth " + field + " token\n" + artisanID)
}
