package mail

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
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
