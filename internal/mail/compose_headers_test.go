package mail

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// The part headers written once are the bytes go-message wrote for every
// message: the same calls, as the composer made them before (kept here
// as the reference), for every method and for random boundaries.
func TestPartHeadersMatchGoMessage(t *testing.T) {
	write := func(h textproto.Header) string {
		var buf bytes.Buffer
		textproto.WriteHeader(&buf, h)
		return buf.String()
	}
	inline := func(mediaType string, params map[string]string, fields ...string) string {
		var h gomail.InlineHeader
		h.SetContentType(mediaType, params)
		for i := 0; i < len(fields); i += 2 {
			h.Set(fields[i], fields[i+1])
		}
		return write(h.Header.Header)
	}
	check := func(name string, got []byte, want string) {
		t.Helper()
		if string(got) != want {
			t.Errorf("%s header:\n%q\nwant\n%q", name, got, want)
		}
	}
	check("text", textPartHeader, inline("text/plain", map[string]string{"charset": "UTF-8"}, "Content-Disposition", "inline", "Content-Transfer-Encoding", "quoted-printable"))
	check("html", htmlPartHeader, inline("text/html", map[string]string{"charset": "UTF-8"}, "Content-Disposition", "inline", "Content-Transfer-Encoding", "quoted-printable"))
	var ah gomail.AttachmentHeader
	ah.SetContentType("application/ics", map[string]string{"name": "invite.ics"})
	ah.SetFilename("invite.ics")
	ah.Set("Content-Transfer-Encoding", "base64")
	check("attachment", attachmentHeader, write(ah.Header.Header))
	for _, method := range []string{"REQUEST", "CANCEL", "PUBLISH", "REPLY", "COUNTER", "X-OTHER", "a method with spaces that is long enough to be folded somewhere"} {
		check("calendar "+method, calendarPartHeader(method), inline("text/calendar", map[string]string{"method": method, "charset": "UTF-8"}, "Content-Transfer-Encoding", "base64", "Content-Disposition", "inline"))
	}

	rng := rand.New(rand.NewPCG(18, 2))
	const hex = "0123456789abcdef"
	for i := range 2000 {
		b := make([]byte, boundaryLen)
		for j := range b {
			b[j] = hex[rng.IntN(16)]
		}
		if i == 1 {
			b = b[:12] // not a boundary of ours: go-message writes it
		}
		boundary := string(b)
		h := message.Header{}
		h = h.Copy()
		h.Set("Content-Type", "multipart/alternative")
		h.SetContentType("multipart/alternative", map[string]string{"boundary": boundary})
		h.Del("Content-Transfer-Encoding")
		var got bytes.Buffer
		writeAlternativeHeader(&got, boundary)
		check("multipart/alternative "+boundary, got.Bytes(), write(h.Header))
	}
}

// base64Lines writes what encoding the whole body and cutting it into
// lines of 76 did, for every length around the line's 57 bytes.
func TestBase64LinesMatchesWholeEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 3))
	for n := range 700 {
		body := make([]byte, n)
		for i := range body {
			body[i] = byte(rng.IntN(256))
		}
		enc := []byte(base64.StdEncoding.EncodeToString(body))
		var want bytes.Buffer
		for len(enc) > 76 {
			want.Write(enc[:76])
			want.WriteString("\r\n")
			enc = enc[76:]
		}
		want.Write(enc)
		if got := base64Lines(body); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%d bytes: %q, want %q", n, got, want.Bytes())
		}
	}
}
