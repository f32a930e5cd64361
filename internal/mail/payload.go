package mail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
)

// The stored form of a mail job's payload (since 2026-12-02): the envelope
// and the reminder's state as one line of JSON (payload without its
// message), a newline, then the RFC 5322 message as it is, byte for byte:
//
//	{"from":"bookings@maison.example","to":["zoe@example.org"],"sequence":1}\n
//	From: ...
//
// The message is kept raw, not base64 inside the JSON as before: a third
// smaller (fewer pages for the database to write, checkpoint and read
// back) and read without decoding. encoding/json never writes a raw
// newline (it escapes one inside a string and indents nothing), so the
// first newline of a payload ends its envelope, and a payload without one
// is of the earlier form: one JSON document with the message base64 in
// its "message" field, as jobs queued by an older binary still are. Both
// forms decode (decodePayload), so such jobs are delivered after an
// upgrade (TestDecodePayloadOldForm).

// encode returns the stored form of pl.
func (pl payload) encode() ([]byte, error) {
	msg := pl.Message
	pl.Message = nil
	head, err := json.Marshal(pl)
	if err != nil {
		return nil, err
	}
	p := make([]byte, 0, len(head)+1+len(msg))
	p = append(p, head...)
	p = append(p, '\n')
	return append(p, msg...), nil
}

// decodePayload reads a mail job's payload in either form (see encode).
// The message of the current form is a slice of p, not a copy.
func decodePayload(p []byte) (payload, error) {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		return decodeJSONPayload(p)
	}
	var pl payload
	if err := json.Unmarshal(p[:i], &pl); err != nil {
		return pl, err
	}
	// The envelope line has no message (encode): one found there is not
	// the payload's.
	pl.Message = p[i+1:]
	return pl, nil
}

// decodeJSONPayload reads a payload of the earlier form, one JSON
// document: what json.Unmarshal into a payload gives, for a fraction of
// its CPU.
//
// Nearly all of a payload is its message, base64 in one JSON string of
// 10-20 KB, and encoding/json scans every byte of it twice (checkValid,
// then the decoder) before decoding it: about 12 % of the mail worker's
// CPU per delivered message (a profile of the server draining its outbox,
// docs/PERFORMANCE.md "2026-12-02, the rest of the CPU of one booking").
// Here the message's string is found and decoded directly, and only the
// few hundred bytes around it go through encoding/json, with the message
// emptied.
//
// Emptying it is exact: the string's contents are base64 (no quote, no
// backslash), so cutting them changes no token boundary of the document;
// the rest is valid JSON exactly when the whole was, and decodes to the
// same values. The emptied string is trusted as the message only when
// encoding/json, decoding the rest, assigns the message once and from
// that very string (not from another key it matches, nor from one nested
// deeper); anything else (an escape inside the message, a payload of
// another shape, an invalid one) takes json.Unmarshal's own path, so
// every payload decodes, and fails, as before
// (TestDecodePayloadMatchesJSON).
func decodeJSONPayload(p []byte) (payload, error) {
	pl, _, err := decodePayloadFast(p)
	return pl, err
}

// decodePayloadFast is decodeJSONPayload, saying whether the fast path
// decoded p.
func decodePayloadFast(p []byte) (payload, bool, error) {
	const key = `"message":"`
	i := bytes.Index(p, []byte(key))
	if i < 0 || bytes.Contains(p[i+len(key):], []byte(key)) {
		return unmarshalPayload(p)
	}
	start := i + len(key)
	n := bytes.IndexByte(p[start:], '"')
	if n < 0 {
		return unmarshalPayload(p)
	}
	enc := p[start : start+n]
	if bytes.IndexByte(enc, '\\') >= 0 {
		return unmarshalPayload(p)
	}
	rest := make([]byte, 0, len(p)-n)
	rest = append(rest, p[:start]...)
	rest = append(rest, p[start+n:]...)
	var probe payloadProbe
	if err := json.Unmarshal(rest, &probe); err != nil {
		return unmarshalPayload(p)
	}
	if probe.Message.n != 1 || len(probe.Message.at) != 2 || &probe.Message.at[0] != &rest[start-1] {
		return unmarshalPayload(p)
	}
	msg := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	m, err := base64.StdEncoding.Decode(msg, enc)
	if err != nil {
		return unmarshalPayload(p)
	}
	pl := probe.payload
	pl.Message = msg[:m] // empty, not nil, for "": as encoding/json gives
	return pl, true, nil
}

// unmarshalPayload is decodePayload's general path.
func unmarshalPayload(p []byte) (payload, bool, error) {
	var pl payload
	err := json.Unmarshal(p, &pl)
	return pl, false, err
}

// payloadProbe decodes a payload whose message was emptied: every field
// into payload but the message, whose occurrences msgSpot records (the
// shallower field hides payload.Message from encoding/json).
type payloadProbe struct {
	payload
	Message msgSpot `json:"message"`
}

// msgSpot records how many times encoding/json set the message, and the
// last JSON value it was given (a slice of the input being decoded).
type msgSpot struct {
	n  int
	at []byte
}

func (s *msgSpot) UnmarshalJSON(b []byte) error {
	s.n++
	s.at = b
	return nil
}
