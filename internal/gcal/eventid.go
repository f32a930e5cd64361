package gcal

import (
	"encoding/base32"
	"strings"
)

// BookingIDProperty is the private extended property that carries the
// booking id on our own events.
const BookingIDProperty = "atelierBookingId"

// eventIDEncoding is base32hex without padding; lowercased it uses only the
// characters a-v and 0-9 that Google allows in event ids.
var eventIDEncoding = base32.HexEncoding.WithPadding(base32.NoPadding)

// EventID returns the Google event id of a booking: the base32hex encoding
// (lowercase) of "atelier:" and the booking id. It is deterministic, so a
// retried insert collides (409) instead of creating a second event, and is
// always 13 or more characters long. Google allows 5 to 1024; booking ids
// are far shorter than the 600 bytes that would exceed it.
func EventID(bookingID string) string {
	return strings.ToLower(eventIDEncoding.EncodeToString([]byte("atelier:" + bookingID)))
}

// BookingIDFromEventID reverses EventID; ok is false for ids that are not ours.
func BookingIDFromEventID(id string) (bookingID string, ok bool) {
	b, err := eventIDEncoding.DecodeString(strings.ToUpper(id))
	if err != nil {
		return "", false
	}
	s, found := strings.CutPrefix(string(b), "atelier:")
	return s, found
}
