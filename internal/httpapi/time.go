package httpapi

import "time"

// TimeLayout is how the API writes an instant: RFC 3339 to the second
// (with a fraction only when there is one) and always a numeric offset,
// "+00:00" rather than "Z", as the contract promises ("RFC 3339 with an
// explicit offset"). Go's time.RFC3339 would write "Z" at UTC+0, in
// London in winter for instance.
const TimeLayout = "2006-01-02T15:04:05.999999999-07:00"

// Time is an instant in an API view. It marshals with TimeLayout and
// unmarshals any RFC 3339 time (with "Z" or an offset).
type Time struct{ time.Time }

// At returns t as a Time.
func At(t time.Time) Time { return Time{t} }

// MarshalJSON writes t with TimeLayout.
func (t Time) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = t.AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// MarshalText writes t with TimeLayout, so that a Time used as text (a
// map key, an XML attribute) reads the same as in JSON.
func (t Time) MarshalText() ([]byte, error) { return t.AppendFormat(nil, TimeLayout), nil }
