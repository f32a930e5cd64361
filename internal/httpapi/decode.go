package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/httpx"
)

// decodeJSON reads exactly one JSON object from the body into v. Any other
// JSON value (null, an array, a string), unknown fields, trailing data,
// bytes that are not UTF-8 and type mismatches are EMALFORMED; a body over
// httpx.MaxBodyBytes is ETOOLARGE, whatever it holds (the body is read whole
// before it is parsed, so a body that is not JSON from its first byte is
// still 413 when it is too large). A null body is refused rather than
// decoded as "no fields": into a map it would mean "nothing", such as an
// atelier closed every day. A body sent as another media type
// (text/plain, a form) is EUNSUPPORTED (415) before it is read: a
// browser sends those from any page without asking, so they must never
// act on a session. A body with no Content-Type is read as JSON.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if err := jsonMediaType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	httpx.LimitBody(w, r)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	// encoding/json turns invalid UTF-8 into U+FFFD without a word, which
	// would store a mangled name: refuse it instead (RFC 8259 §8.1).
	if !utf8.Valid(body) {
		return malformed("the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return malformed("the body must hold a single JSON object")
	}
	if len(raw) == 0 || raw[0] != '{' {
		return malformed("the request body must be a JSON object")
	}
	if err := checkKeys(raw); err != nil {
		return err
	}
	obj := json.NewDecoder(bytes.NewReader(raw))
	obj.DisallowUnknownFields()
	if err := obj.Decode(v); err != nil {
		return decodeError(err)
	}
	return nil
}

// checkKeys refuses what encoding/json would let through without a word:
// a member name given twice in one object (the last would win), and a
// name in another case than the API's, which is all lower case ("Start"
// would be taken as "start"). Every name the API reads, field or map key
// (question ids, weekdays), is lower case.
func checkKeys(raw []byte) error {
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
			name := tok.(string) // a member name: the decoder checked the syntax
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
		// After a value: inside an object the next token is a name.
		expectKey = len(stack) > 0 && stack[len(stack)-1] != nil
	}
}

// jsonMediaType refuses a Content-Type other than application/json (with
// or without parameters); an absent one is taken as JSON.
func jsonMediaType(ct string) error {
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		return nil
	}
	return booking.Errorf(booking.EUNSUPPORTED, app.CodeUnsupportedMedia,
		"send the request body as JSON, with Content-Type: application/json")
}

func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

func decodeError(err error) error {
	if tooLarge(err) {
		return httpx.TooLarge("the request body", httpx.MaxBodyBytes)
	}
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return malformed("the request body is empty")
	case errors.As(err, &typ) && typ.Field != "":
		return malformed(fmt.Sprintf("field %q has the wrong type", typ.Field))
	case errors.As(err, &typ):
		return malformed("the request body must be a JSON object")
	}
	// The decoder reports unknown fields only through its message.
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return malformed("unknown field " + f)
	}
	return malformed("the request body is not valid JSON")
}

func malformed(msg string) error {
	return &booking.Error{Kind: booking.EMALFORMED, Code: booking.CodeMalformed, Message: msg}
}
