package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
)

// decodeBothWays decodes p with decodePayload and json.Unmarshal and
// fails unless they give the same payload (nil and empty told apart) and
// the same error.
func decodeBothWays(t *testing.T, p []byte) (fast bool) {
	t.Helper()
	got, fast, gotErr := decodePayloadFast(p)
	var want payload
	wantErr := json.Unmarshal(p, &want)
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		t.Fatalf("payload %.300q: error %v, json.Unmarshal's %v", p, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("payload %.300q:\ngot  %+v\nwant %+v", p, got, want)
	}
	if fast && gotErr != nil {
		t.Fatalf("payload %.300q: the fast path returned an error", p)
	}
	return fast
}

// The payloads the jobs write: every one decoded the fast way, to what
// encoding/json gives.
func TestDecodePayloadMatchesJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 2026))
	alphabet := []byte("abcXYZ019 \r\n\t=.\"\\<>&\x00é中\xff")
	randomBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	starts := []time.Time{{}, time.Date(2026, 12, 3, 9, 15, 0, 0, time.UTC)}
	for i := range 3000 {
		pl := payload{From: "bookings@maison.example", Sequence: rng.IntN(5), Start: starts[rng.IntN(2)]}
		switch rng.IntN(4) {
		case 0:
		case 1:
			pl.To = []string{string(randomBytes(rng.IntN(30)))}
		default:
			pl.To = []string{"zoe@example.org", "\"message\":\"QUJD\"", "staff@maison.example"}[:1+rng.IntN(3)]
		}
		if i%7 != 0 {
			pl.Message = randomBytes(rng.IntN(20000))
		}
		if i%11 == 0 {
			pl.From = `x","message":"QUJD`
		}
		p, err := json.Marshal(pl)
		if err != nil {
			t.Fatal(err)
		}
		fast := decodeBothWays(t, p)
		if wantFast := len(pl.Message) > 0; fast != wantFast && !strings.Contains(string(p[bytes.Index(p, []byte(`"message"`))+9:]), `"message":"`) {
			t.Fatalf("payload %.300q: fast path %v, want %v", p, fast, wantFast)
		}
	}
}

// Payloads no job writes, each of which a careless fast path would read
// wrongly: they must decode (or fail) exactly as encoding/json has them.
func TestDecodePayloadOddShapes(t *testing.T) {
	for _, p := range []string{
		`{"from":"a","message":"QUJD"}`,
		`{"message":"QUJD","from":"a"}`,
		`{"message":""}`,
		`{"from":"a","message":"QUJD","MESSAGE":"RUZH"}`,   // a later key that matches too
		`{"Message":"RUZH","from":"a","message":"QUJD"}`,   // an earlier one
		`{"from":"a","message":"QUJD","message" : "RUZH"}`, // the same key, spaced
		`{"x":{"message":"QUJD"},"from":"a"}`,              // nested under an unknown key
		`{"x":{"message":"QUJD"},"MESSAGE":""}`,            // nested, and another at the top
		`{"to":[{"message":"QUJD"}]}`,                      // inside a field of another type
		`{"from":"a\"message\":\"QUJD","message":"RUZH"}`,  // the key's text escaped in a string
		`{"from":"a,"message":"QUJD"}`,                     // invalid before the key
		`{"from":"a","message":"QUJD"`,                     // truncated
		`{"from":"a","message":"QUJD}`,                     // unterminated
		`{"from":"a","message":"QU\u004aD"}`,               // an escape inside the message
		`{"from":"a","message":"QUJ"}`,                     // invalid base64
		`{"from":"a","message":"QUJD\n"}`,                  // a raw newline: invalid JSON
		`{"from":"a","message":"QUJD","sequence":"x"}`,     // a wrong type after it
		`{"from":"a","message":"QUJD","sequence":2,"start":"2026-12-03T09:15:00Z"}`,
		`[{"message":"QUJD"}]`,
		`"message":"QUJD"`,
		` {"message":"QUJD"} `,
		`{"message":"QUJD"} x`,
		`null`,
		``,
	} {
		decodeBothWays(t, []byte(p))
	}
}

// The stored form (payload.encode) gives back what was encoded, whatever
// the message and the envelope hold (newlines, quotes, bytes that are not
// UTF-8), with the message kept raw after the envelope's line.
func TestPayloadEncodeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 12))
	alphabet := []byte("abcXYZ019 \r\n\t=.\"\\<>&\x00é中\xff{}")
	randomBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return b
	}
	for i := range 2000 {
		pl := payload{From: string(randomBytes(rng.IntN(20))), Sequence: rng.IntN(5)}
		if i%3 == 0 {
			pl.Start = time.Date(2026, 12, 3, 9, 15, 0, 0, time.UTC)
		}
		for range rng.IntN(3) {
			pl.To = append(pl.To, string(randomBytes(rng.IntN(30))))
		}
		pl.Message = randomBytes(rng.IntN(20000))
		p, err := pl.encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(p, pl.Message) || bytes.IndexByte(p, '\n') != len(p)-len(pl.Message)-1 {
			t.Fatalf("payload %.300q: the message is not kept raw after one line", p)
		}
		got, err := decodePayload(p)
		if err != nil {
			t.Fatalf("payload %.300q: %v", p, err)
		}
		// encoding/json keeps invalid UTF-8 as U+FFFD in both forms.
		var want payload
		head, _ := json.Marshal(payload{From: pl.From, To: pl.To, Sequence: pl.Sequence, Start: pl.Start})
		if err := json.Unmarshal(head, &want); err != nil {
			t.Fatal(err)
		}
		want.Message = pl.Message
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("payload %.300q:\ngot  %+v\nwant %+v", p, got, want)
		}
	}
}

// A job queued by an older binary holds the earlier form (one JSON
// document, the message base64 inside): after an upgrade it decodes to
// what the job meant, as the current form of the same payload does, and
// the mail worker sends its message.
func TestDecodePayloadOldForm(t *testing.T) {
	msg := []byte("From: bookings@maison.example\r\nTo: zoe@example.org\r\nSubject: Confirmed\r\n\r\nSee you {soon}.\r\n")
	for _, pl := range []payload{
		{From: "bookings@maison.example", To: []string{"zoe@example.org"}, Message: msg, Sequence: 2},
		{From: "bookings@maison.example", To: []string{"zoe@example.org"}, Sequence: 3, Start: time.Date(2026, 12, 3, 9, 15, 0, 0, time.UTC)}, // a reminder
	} {
		old, err := json.Marshal(pl)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := pl.encode()
		if err != nil {
			t.Fatal(err)
		}
		if len(pl.Message) > 0 && len(cur) >= len(old) {
			t.Errorf("the current form is %d bytes, the earlier %d", len(cur), len(old))
		}
		fromOld, err := decodePayload(old)
		if err != nil {
			t.Fatal(err)
		}
		fromCur, err := decodePayload(cur)
		if err != nil {
			t.Fatal(err)
		}
		if fromOld.From != pl.From || !reflect.DeepEqual(fromOld.To, pl.To) || !bytes.Equal(fromOld.Message, pl.Message) ||
			fromOld.Sequence != pl.Sequence || !fromOld.Start.Equal(pl.Start) {
			t.Errorf("the earlier form decodes to %+v, want %+v", fromOld, pl)
		}
		if fromCur.From != fromOld.From || !reflect.DeepEqual(fromCur.To, fromOld.To) || !bytes.Equal(fromCur.Message, fromOld.Message) ||
			fromCur.Sequence != fromOld.Sequence || !fromCur.Start.Equal(fromOld.Start) {
			t.Errorf("the two forms decode apart:\nearlier %+v\ncurrent %+v", fromOld, fromCur)
		}
	}
}

// recordingTransport keeps what it is asked to send.
type recordingTransport struct {
	env Envelope
	msg []byte
}

func (r *recordingTransport) Send(_ context.Context, env Envelope, msg []byte) error {
	r.env, r.msg = env, bytes.Clone(msg)
	return nil
}

// A confirmation queued by an older binary (its payload one JSON document,
// the message base64 inside) is sent after the upgrade as it was queued,
// and so is the same job written in the current form.
func TestSenderSendsBothForms(t *testing.T) {
	msg := []byte("From: bookings@maison.example\r\nTo: zoe@example.org\r\nSubject: Confirmed\r\n\r\nSee you.\r\n")
	pl := payload{From: "bookings@maison.example", To: []string{"zoe@example.org"}, Message: msg, Sequence: 1}
	old, err := json.Marshal(pl)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := pl.encode()
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string][]byte{"earlier": old, "current": cur} {
		tr := &recordingTransport{}
		s := &Sender{Transport: tr, Options: Options{From: &gomail.Address{Address: "bookings@maison.example"}, Now: time.Now}}
		j := booking.QueuedJob{ID: 7, Job: booking.Job{Queue: Queue, Kind: KindConfirmation, BookingID: "bk_1", Payload: p}}
		if err := s.Handle(context.Background(), j); err != nil {
			t.Fatalf("%s form: %v", name, err)
		}
		want := Envelope{From: pl.From, To: pl.To, Kind: KindConfirmation, BookingID: "bk_1", JobID: 7}
		if !reflect.DeepEqual(tr.env, want) || !bytes.Equal(tr.msg, msg) {
			t.Errorf("%s form: sent %+v %q, want %+v %q", name, tr.env, tr.msg, want, msg)
		}
	}
}
