package mail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
)

// decodePayload reads a mail job's payload: what json.Unmarshal into a
// payload gives, for a fraction of its CPU.
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
func decodePayload(p []byte) (payload, error) {
	pl, _, err := decodePayloadFast(p)
	return pl, err
}

// decodePayloadFast is decodePayload, saying whether the fast path
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
