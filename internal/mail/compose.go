package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/atelier-app/atelier/internal/mailaddr"
)

// Message is an e-mail to compose.
type Message struct {
	From      *gomail.Address
	To        []*gomail.Address
	Cc        []*gomail.Address
	ReplyTo   []*gomail.Address
	Subject   string
	Date      time.Time
	MessageID string // without angle brackets
	Text      string // the text/plain part
	HTML      string // the text/html part
	// Invite is an iCalendar object with a METHOD; when set, the message
	// follows RFC 6047: multipart/mixed holding multipart/alternative
	// (text, HTML, text/calendar with the invite's method) and the same
	// invite as the attachment invite.ics.
	Invite []byte
}

// Compose renders m as an RFC 5322 message with go-message: headers,
// MIME-Version, and the parts. The address and subject fields are written
// here (see header.go): folded to 78 octets a line, non-ASCII text in
// RFC 2047 encoded words of at most 75 characters, domains in IDNA
// A-labels. A local part with non-ASCII letters stays UTF-8 (RFC 6532);
// such a message can only be sent with SMTPUTF8.
func Compose(m Message) ([]byte, error) {
	if m.From == nil || len(m.To) == 0 {
		return nil, fmt.Errorf("mail: compose: no sender or recipient")
	}
	var h gomail.Header
	h.SetDate(m.Date)
	for _, f := range []struct {
		name  string
		addrs []*gomail.Address
	}{{"From", []*gomail.Address{m.From}}, {"To", m.To}, {"Cc", m.Cc}, {"Reply-To", m.ReplyTo}} {
		if len(f.addrs) == 0 {
			continue
		}
		raw, err := addressField(f.name, f.addrs)
		if err != nil {
			return nil, fmt.Errorf("mail: compose: %s: %w", f.name, err)
		}
		h.AddRaw(raw)
	}
	h.AddRaw(textField("Subject", m.Subject))
	if m.MessageID != "" {
		// The id's right part is the sender's domain: A-labels, like it.
		id := m.MessageID
		if left, right, ok := mailaddr.Split(id); ok {
			if a, err := mailaddr.ASCIIDomain(right); err == nil {
				id = left + "@" + a
			}
		}
		h.SetMessageID(id)
	}
	h.Set("Auto-Submitted", "auto-generated") // RFC 3834: no vacation replies

	var method string
	if len(m.Invite) > 0 {
		var err error
		if method, err = inviteMethod(m.Invite); err != nil {
			return nil, err
		}
	}

	if method == "" && m.HTML == "" {
		return composeText(h, m.Text)
	}
	var buf bytes.Buffer
	buf.Grow(composedSize(m))
	if method == "" {
		b := writeMultipartHeader(&buf, h.Header, "multipart/alternative", true)
		writeAlternatives(&buf, b, m, "")
		return buf.Bytes(), nil
	}
	mixed := writeMultipartHeader(&buf, h.Header, "multipart/mixed", true)
	buf.WriteString("--" + mixed + "\r\n")
	alt := writeMultipartHeader(&buf, message.Header{}, "multipart/alternative", false)
	writeAlternatives(&buf, alt, m, method)
	var ah gomail.AttachmentHeader
	ah.SetContentType("application/ics", map[string]string{"name": "invite.ics"})
	ah.SetFilename("invite.ics")
	ah.Set("Content-Transfer-Encoding", "base64")
	writeBase64Part(&buf, "\r\n--"+mixed+"\r\n", ah.Header, m.Invite)
	buf.WriteString("\r\n--" + mixed + "--\r\n")
	return buf.Bytes(), nil
}

// The multipart structure is written here rather than through
// go-message's writers, which chained four writers per part and grew
// the message's buffer a few bytes at a time: a third of the CPU of
// composing (issue 18). The headers are still go-message's, built by the
// same calls in the same order and written by its textproto.WriteHeader,
// the bodies encoded as mime/quotedprintable encodes them (appendQP) and
// in base64 in lines of 76, so the bytes are what go-message wrote
// (TestMessagesByteForByte).

// composedSize estimates the length of m composed: its bodies encoded,
// plus the headers.
func composedSize(m Message) int {
	return len(m.Text)*11/10 + len(m.HTML)*11/10 + len(m.Invite)*28/10 + 4096
}

// writeMultipartHeader writes the header of a multipart entity of type
// mediaType (h, changed as go-message's writer changes it: a fresh
// boundary and, for the message itself, MIME-Version) and returns the
// boundary.
func writeMultipartHeader(buf *bytes.Buffer, h message.Header, mediaType string, top bool) string {
	h = h.Copy()
	h.Set("Content-Type", mediaType)
	if top && !h.Has("Mime-Version") {
		h.Set("MIME-Version", "1.0")
	}
	boundary := randomBoundary()
	h.SetContentType(mediaType, map[string]string{"boundary": boundary})
	h.Del("Content-Transfer-Encoding")
	textproto.WriteHeader(buf, h.Header) // a bytes.Buffer never fails
	return boundary
}

// randomBoundary is a MIME boundary as go-message makes one: 30 random
// bytes in hex, which no body can contain by chance.
func randomBoundary() string {
	var b [30]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// composeText is a message of text only under h: one text/plain body. An
// alternative with an empty text/html part would show blank in clients
// that prefer HTML.
func composeText(h gomail.Header, text string) ([]byte, error) {
	var buf bytes.Buffer
	h.SetContentType("text/plain", map[string]string{"charset": "UTF-8"})
	if err := writePart(func() (io.WriteCloser, error) { return gomail.CreateSingleInlineWriter(&buf, h) }, []byte(text)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeAlternatives writes the parts of the multipart/alternative entity
// of boundary: the text, HTML and (when method is set) text/calendar
// parts, simplest first as RFC 2046 asks, and its closing boundary.
func writeAlternatives(buf *bytes.Buffer, boundary string, m Message, method string) {
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "UTF-8"})
	writeTextPart(buf, "--"+boundary+"\r\n", th, m.Text)
	var hh gomail.InlineHeader
	hh.SetContentType("text/html", map[string]string{"charset": "UTF-8"})
	writeTextPart(buf, "\r\n--"+boundary+"\r\n", hh, m.HTML)
	if method != "" {
		var ch gomail.InlineHeader
		ch.SetContentType("text/calendar", map[string]string{"method": method, "charset": "UTF-8"})
		// base64 keeps the CRLF line ends and folding of the invite intact.
		ch.Set("Content-Transfer-Encoding", "base64")
		ch.Set("Content-Disposition", "inline")
		writeBase64Part(buf, "\r\n--"+boundary+"\r\n", ch.Header, m.Invite)
	}
	buf.WriteString("\r\n--" + boundary + "--\r\n")
}

// writeTextPart writes an inline text part after the boundary line sep:
// its header and the body in quoted-printable.
func writeTextPart(buf *bytes.Buffer, sep string, h gomail.InlineHeader, body string) {
	h.Set("Content-Disposition", "inline")
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	buf.WriteString(sep)
	textproto.WriteHeader(buf, h.Header.Header)
	buf.Write(appendQP(buf.AvailableBuffer(), body))
}

// writeBase64Part writes a part after the boundary line sep: its header
// and body in base64, in lines of 76 characters.
func writeBase64Part(buf *bytes.Buffer, sep string, h message.Header, body []byte) {
	buf.WriteString(sep)
	textproto.WriteHeader(buf, h.Header)
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(body)))
	base64.StdEncoding.Encode(enc, body)
	for len(enc) > 76 {
		buf.Write(enc[:76])
		buf.WriteString("\r\n")
		enc = enc[76:]
	}
	buf.Write(enc)
}

func writePart(create func() (io.WriteCloser, error), body []byte) error {
	pw, err := create()
	if err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	if _, err := pw.Write(body); err != nil {
		pw.Close()
		return fmt.Errorf("mail: compose: %w", err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("mail: compose: %w", err)
	}
	return nil
}

// inviteMethod returns the METHOD of an iCalendar object, so that the
// Content-Type method parameter always equals it.
func inviteMethod(ics []byte) (string, error) {
	for _, line := range strings.Split(string(ics), "\r\n") {
		if v, ok := strings.CutPrefix(line, "METHOD:"); ok {
			return v, nil
		}
		if line == "BEGIN:VEVENT" {
			break
		}
	}
	return "", fmt.Errorf("mail: compose: invite has no METHOD")
}
