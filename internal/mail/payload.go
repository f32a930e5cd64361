package mail

import (
	"bytes"
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
// document. No job is written in it any more: it is only what jobs queued
// by an older binary hold until they are sent, so encoding/json reads it.
// (A hand-written fast path for it, worth 60 µs a message while every job
// had this form, went with the form.)
func decodeJSONPayload(p []byte) (payload, error) {
	var pl payload
	err := json.Unmarshal(p, &pl)
	return pl, err
}
