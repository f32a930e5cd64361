package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// checkKeysTokenizer is checkKeys as it was written first, over
// encoding/json's tokenizer: the reference the byte walk is held to.
func checkKeysTokenizer(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var stack []map[string]bool // the names seen in each open object; nil for an array
	expectKey := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return decodeError(err)
		}
		if expectKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				expectKey = len(stack) > 0 && stack[len(stack)-1] != nil
				continue
			}
			name := tok.(string)
			seen := stack[len(stack)-1]
			switch {
			case seen[name]:
				return malformed(fmt.Sprintf("the member %q is given twice", name))
			case strings.ToLower(name) != name:
				return malformed(fmt.Sprintf("unknown field %q: the API's names are lower case", name))
			}
			seen[name] = true
			expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, map[string]bool{})
			expectKey = true
			continue
		case json.Delim('['):
			stack = append(stack, nil)
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		expectKey = len(stack) > 0 && stack[len(stack)-1] != nil
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// randomJSON writes a random JSON value whose member names are drawn
// from a few that collide, differ in case, or hide quotes, colons,
// escapes and braces.
func randomJSON(rng *rand.Rand, b *strings.Builder, depth int) {
	names := []string{`"a"`, `"b"`, `"start"`, `"Start"`, `"st\u0061rt"`, `"St\u0061rt"`, `"a:b"`, `"\"a\""`, `"{"`, `"x\\"`, `"é"`, `"É"`, `"mon"`, `"q_1"`, `"\u00c9"`}
	values := []string{`1`, `-2.5e3`, `true`, `null`, `""`, `"a"`, `":"`, `"\"a\":"`, `"{\"a\":1}"`, `"x\\"`, `"Start"`}
	sp := func() {
		if rng.IntN(4) == 0 {
			b.WriteString([]string{" ", "\n", "\t", "\r\n "}[rng.IntN(4)])
		}
	}
	switch k := rng.IntN(6); {
	case depth > 3 || k < 2:
		b.WriteString(values[rng.IntN(len(values))])
	case k < 3:
		b.WriteByte('[')
		for i := range rng.IntN(4) {
			if i > 0 {
				b.WriteByte(',')
			}
			sp()
			randomJSON(rng, b, depth+1)
		}
		b.WriteByte(']')
	default:
		b.WriteByte('{')
		for i := range rng.IntN(5) {
			if i > 0 {
				b.WriteByte(',')
			}
			sp()
			b.WriteString(names[rng.IntN(len(names))])
			sp()
			b.WriteByte(':')
			sp()
			randomJSON(rng, b, depth+1)
			sp()
		}
		b.WriteByte('}')
	}
}

// The byte walk finds what the tokenizer found, the same first offence
// with the same words, on random documents.
func TestCheckKeysMatchesTokenizer(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 12))
	offences := 0
	for range 20000 {
		var b strings.Builder
		b.WriteByte('{')
		for i := range 1 + rng.IntN(4) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":`, rng.IntN(3))
			randomJSON(rng, &b, 0)
		}
		b.WriteByte('}')
		raw := []byte(b.String())
		if !json.Valid(raw) {
			t.Fatalf("the generator wrote invalid JSON: %s", raw)
		}
		got, want := checkKeys(raw), checkKeysTokenizer(raw)
		if errText(got) != errText(want) {
			t.Fatalf("%s:\ncheckKeys %s\ntokenizer %s", raw, errText(got), errText(want))
		}
		if want != nil {
			offences++
		}
	}
	if offences < 2000 {
		t.Fatalf("only %d of the random documents held an offence", offences)
	}
}

// An object with many members is checked in linear time, and a name
// given twice among many is still found.
func TestCheckKeysManyMembers(t *testing.T) {
	var b strings.Builder
	b.WriteByte('{')
	for i := range 5000 {
		fmt.Fprintf(&b, `"q%d":%d,`, i, i)
	}
	b.WriteString(`"q17":1}`)
	raw := []byte(b.String())
	if got, want := errText(checkKeys(raw)), errText(checkKeysTokenizer(raw)); got != want || !strings.Contains(got, "given twice") {
		t.Fatalf("checkKeys %s, tokenizer %s", got, want)
	}
}

// BenchmarkDecodeJSON reads a booking's request body, as every POST
// /api/v1/bookings does.
func BenchmarkDecodeJSON(b *testing.B) {
	body := `{"service":"design","mode":"in_person","start":"2026-12-02T10:00:00+08:00","artisan":"mei",` +
		`"customer":{"name":"Ana Lim","email":"ana@example.com","phone":"+65 9123 4567"},"notes":"An engagement ring with a sapphire."}`
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/bookings", strings.NewReader(body))
		var v struct {
			Service, Mode, Start, Artisan string
			Customer                      struct{ Name, Email, Phone string }
			Notes                         string
		}
		if err := decodeJSON(httptest.NewRecorder(), r, &v); err != nil {
			b.Fatal(err)
		}
	}
}
