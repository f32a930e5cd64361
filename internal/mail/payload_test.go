package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/atelier-app/atelier/internal/booking"
)

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
