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
		writeAlternatives(&buf, b, m, "", nil)
		return buf.Bytes(), nil
	}
	// The invite is in the message twice (RFC 6047): encoded once.
	invite := base64Lines(m.Invite)
	mixed := writeMultipartHeader(&buf, h.Header, "multipart/mixed", true)
	buf.WriteString("--" + mixed + "\r\n")
	alt := randomBoundary()
	writeAlternativeHeader(&buf, alt)
	writeAlternatives(&buf, alt, m, method, invite)
	writeBase64Part(&buf, "\r\n--"+mixed+"\r\n", attachmentHeader, invite)
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
	boundary := randomBoundary()
	textproto.WriteHeader(buf, multipartHeader(h, mediaType, top, boundary).Header) // a bytes.Buffer never fails
	return boundary
}

// multipartHeader is h as go-message's writer changes it for a multipart
// entity of mediaType and boundary. It changes h itself, which the
// composer does not use again (go-message's writer copied it first).
func multipartHeader(h message.Header, mediaType string, top bool, boundary string) message.Header {
	h.Set("Content-Type", mediaType)
	if top && !h.Has("Mime-Version") {
		h.Set("MIME-Version", "1.0")
	}
	h.SetContentType(mediaType, map[string]string{"boundary": boundary})
	h.Del("Content-Transfer-Encoding")
	return h
}

// boundaryLen is the length of a MIME boundary (randomBoundary).
const boundaryLen = 60

// randomBoundary is a MIME boundary as go-message makes one: 30 random
// bytes in hex, which no body can contain by chance.
func randomBoundary() string {
	var b [boundaryLen / 2]byte
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
// parts, simplest first as RFC 2046 asks, and its closing boundary;
// invite is m.Invite in base64 lines (base64Lines).
func writeAlternatives(buf *bytes.Buffer, boundary string, m Message, method string, invite []byte) {
	writeTextPart(buf, "--"+boundary+"\r\n", textPartHeader, m.Text)
	writeTextPart(buf, "\r\n--"+boundary+"\r\n", htmlPartHeader, m.HTML)
	if method != "" {
		writeBase64Part(buf, "\r\n--"+boundary+"\r\n", calendarPartHeader(method), invite)
	}
	buf.WriteString("\r\n--" + boundary + "--\r\n")
}

// writeTextPart writes an inline text part after the boundary line sep:
// its header (written already) and the body in quoted-printable.
func writeTextPart(buf *bytes.Buffer, sep string, header []byte, body string) {
	buf.WriteString(sep)
	buf.Write(header)
	buf.Write(appendQP(buf.AvailableBuffer(), body))
}

// writeBase64Part writes a part after the boundary line sep: its header
// (written already) and its body, in base64 lines already (base64Lines).
func writeBase64Part(buf *bytes.Buffer, sep string, header, lines []byte) {
	buf.WriteString(sep)
	buf.Write(header)
	buf.Write(lines)
}

// base64Lines is body in base64 in lines of 76 characters, each but the
// last ended by CRLF: 57 bytes of body to a line, which encode alone as
// they do within the whole (57 is a multiple of 3).
func base64Lines(body []byte) []byte {
	n := base64.StdEncoding.EncodedLen(len(body))
	out := make([]byte, 0, n+n/76*2)
	for len(body) > 57 {
		out = base64.StdEncoding.AppendEncode(out, body[:57])
		out = append(out, '\r', '\n')
		body = body[57:]
	}
	return base64.StdEncoding.AppendEncode(out, body)
}

// The headers of the parts are the same in every message (the calendar
// part's but for its method, the nested multipart/alternative's but for
// its boundary), so go-message writes each once, by the calls that wrote
// it for every message before (issue 18: 9 % of rendering a booking's
// e-mails, a quarter of composing them), and the messages copy the bytes
// (TestPartHeadersMatchGoMessage).
var (
	textPartHeader = partHeader(func(h *gomail.InlineHeader) {
		h.SetContentType("text/plain", map[string]string{"charset": "UTF-8"})
		h.Set("Content-Disposition", "inline")
		h.Set("Content-Transfer-Encoding", "quoted-printable")
	})
	htmlPartHeader = partHeader(func(h *gomail.InlineHeader) {
		h.SetContentType("text/html", map[string]string{"charset": "UTF-8"})
		h.Set("Content-Disposition", "inline")
		h.Set("Content-Transfer-Encoding", "quoted-printable")
	})
	attachmentHeader = func() []byte {
		var ah gomail.AttachmentHeader
		ah.SetContentType("application/ics", map[string]string{"name": "invite.ics"})
		ah.SetFilename("invite.ics")
		ah.Set("Content-Transfer-Encoding", "base64")
		return headerBytes(ah.Header)
	}()
	// The methods of RFC 5546 (the invites use REQUEST and CANCEL).
	calendarHeaders = func() map[string][]byte {
		m := map[string][]byte{}
		for _, method := range []string{"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"} {
			m[method] = writeCalendarHeader(method)
		}
		return m
	}()
	// The nested multipart/alternative header around the place of its
	// boundary: a boundary is always 60 hex digits, and go-message folds
	// a header at white space only, so any boundary folds as this one.
	altHeaderBefore, altHeaderAfter = func() ([]byte, []byte) {
		placeholder := strings.Repeat("0", boundaryLen)
		b := headerBytes(multipartHeader(message.Header{}, "multipart/alternative", false, placeholder))
		before, after, ok := bytes.Cut(b, []byte(placeholder))
		if !ok || bytes.Contains(after, []byte(placeholder)) {
			panic("mail: the multipart/alternative header does not hold its boundary once")
		}
		return before, after
	}()
)

// partHeader is the header that set makes, as textproto.WriteHeader
// writes it.
func partHeader(set func(h *gomail.InlineHeader)) []byte {
	var h gomail.InlineHeader
	set(&h)
	return headerBytes(h.Header)
}

// headerBytes is h as textproto.WriteHeader writes it.
func headerBytes(h message.Header) []byte {
	var buf bytes.Buffer
	textproto.WriteHeader(&buf, h.Header) // a bytes.Buffer never fails
	return buf.Bytes()
}

// calendarPartHeader is the header of the text/calendar part of an invite
// of method.
func calendarPartHeader(method string) []byte {
	if h, ok := calendarHeaders[method]; ok {
		return h
	}
	return writeCalendarHeader(method)
}

func writeCalendarHeader(method string) []byte {
	return partHeader(func(h *gomail.InlineHeader) {
		h.SetContentType("text/calendar", map[string]string{"method": method, "charset": "UTF-8"})
		// base64 keeps the CRLF line ends and folding of the invite intact.
		h.Set("Content-Transfer-Encoding", "base64")
		h.Set("Content-Disposition", "inline")
	})
}

// writeAlternativeHeader writes the header of the multipart/alternative
// entity inside multipart/mixed, of boundary.
func writeAlternativeHeader(buf *bytes.Buffer, boundary string) {
	if len(boundary) != boundaryLen {
		textproto.WriteHeader(buf, multipartHeader(message.Header{}, "multipart/alternative", false, boundary).Header)
		return
	}
	buf.Write(altHeaderBefore)
	buf.WriteString(boundary)
	buf.Write(altHeaderAfter)
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
	for rest := ics; len(rest) > 0; {
		line, next, _ := bytes.Cut(rest, []byte("\r\n"))
		if v, ok := bytes.CutPrefix(line, []byte("METHOD:")); ok {
			return string(v), nil
		}
		if string(line) == "BEGIN:VEVENT" {
			break
		}
		rest = next
	}
	return "", fmt.Errorf("mail: compose: invite has no METHOD")
}
