package app

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/auth"
	"github.com/atelier-app/atelier/internal/booking"
)

// ParseBookingID reads a booking reference as it comes from outside: typed
// by a customer or staff member, or in a link. Ids are made in lower case
// (booking.NewID) but printed in capitals by the pages' styles, so a
// reference is read in any case, without surrounding spaces. Every booking
// id the application is given passes here (App.loadBooking).
func ParseBookingID(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// newManageToken returns 32 random bytes, base64url encoded, and the
// SHA-256 hash of the token, which is all that is stored.
func newManageToken() (token string, hash []byte) { return auth.NewSecret() }

// ManageTokenGrace is how long after the end of its appointment a
// booking's manage tokens still open it: long enough to look back at it
// (or at a cancelled one) for a season, not forever. The housekeeping then
// deletes their hashes (PurgeManageTokens).
const ManageTokenGrace = 90 * 24 * time.Hour

// manageTokenLive reports whether the tokens of b still open it at now.
func manageTokenLive(b *booking.Booking, now time.Time) bool {
	return now.Before(b.End.Add(ManageTokenGrace))
}

// ValidIdempotencyKey reports whether key is 1 to 255 printable ASCII
// characters.
func ValidIdempotencyKey(key string) bool {
	if len(key) == 0 || len(key) > 255 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return strings.TrimSpace(key) != ""
}

// idempotencyKeyHash identifies an Idempotency-Key without storing it.
func idempotencyKeyHash(key string) []byte {
	h := sha256.Sum256([]byte("key:" + key))
	return h[:]
}

// sealKey is the AES-256 key that seals the first response of a request
// made with key. It is derived only from the key, so only a client holding
// the key can open the stored response (which contains the manage token).
func sealKey(key string) []byte {
	h := sha256.Sum256([]byte("seal:" + key))
	return h[:]
}

// seal encrypts plaintext with AES-256-GCM; the random nonce is prepended.
// aad binds the ciphertext to its record (the request hash).
func seal(key, plaintext, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize(), gcm.NonceSize()+len(plaintext)+gcm.Overhead())
	rand.Read(nonce)
	return gcm.Seal(nonce, nonce, plaintext, aad), nil
}

// open reverses seal.
func open(key, sealed, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("sealed response too short")
	}
	nonce, ct := sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():]
	pt, err := gcm.Open(nil, nonce, ct, aad)
	if err != nil {
		return nil, fmt.Errorf("open sealed response: %w", err)
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return gcm, nil
}
