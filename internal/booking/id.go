package booking

import (
	"crypto/rand"
	"encoding/base32"
)

// Prefixes of the ids NewID makes, one per kind of record, so that an id
// says what it names.
const (
	BookingIDPrefix = "bk_"
	UserIDPrefix    = "us_"
)

// idEncoding is lower-case base32 without padding: ids are case-folded
// when read (references are printed in capitals) and never hold a
// character that needs escaping in a URL.
var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// idChars is the length of an id after its prefix: 20 base32 characters,
// 100 random bits, so ids can be made anywhere without coordination and
// never be guessed.
const idChars = 20

// NewID returns prefix and 20 random lower-case base32 characters (100
// bits from crypto/rand), e.g. "bk_5xq2…": the one id maker of the
// domain.
func NewID(prefix string) string {
	var b [13]byte  // 104 bits, of which the first 100 are kept
	rand.Read(b[:]) // never fails (crypto/rand documents it)
	return prefix + idEncoding.EncodeToString(b[:])[:idChars]
}
