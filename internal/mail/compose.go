package mail

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

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

	var buf bytes.Buffer
	if method == "" && m.HTML == "" {
		return composeText(h, m.Text)
	}
	if method == "" {
		w, err := gomail.CreateInlineWriter(&buf, h)
		if err != nil {
			return nil, fmt.Errorf("mail: compose: %w", err)
		}
		if err := writeAlternatives(w, m, ""); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("mail: compose: %w", err)
		}
		return buf.Bytes(), nil
	}

	w, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	iw, err := w.CreateInline()
	if err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	if err := writeAlternatives(iw, m, method); err != nil {
		return nil, err
	}
	if err := iw.Close(); err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	var ah gomail.AttachmentHeader
	ah.SetContentType("application/ics", map[string]string{"name": "invite.ics"})
	ah.SetFilename("invite.ics")
	if err := writePart(func() (io.WriteCloser, error) { return w.CreateAttachment(ah) }, m.Invite); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("mail: compose: %w", err)
	}
	return buf.Bytes(), nil
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

// writeAlternatives writes the text, HTML and (when method is set)
// text/calendar parts, simplest first as RFC 2046 asks.
func writeAlternatives(w *gomail.InlineWriter, m Message, method string) error {
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "UTF-8"})
	if err := writePart(func() (io.WriteCloser, error) { return w.CreatePart(th) }, []byte(m.Text)); err != nil {
		return err
	}
	var hh gomail.InlineHeader
	hh.SetContentType("text/html", map[string]string{"charset": "UTF-8"})
	if err := writePart(func() (io.WriteCloser, error) { return w.CreatePart(hh) }, []byte(m.HTML)); err != nil {
		return err
	}
	if method == "" {
		return nil
	}
	var ch gomail.InlineHeader
	ch.SetContentType("text/calendar", map[string]string{"method": method, "charset": "UTF-8"})
	// base64 keeps the CRLF line ends and folding of the invite intact.
	ch.Set("Content-Transfer-Encoding", "base64")
	return writePart(func() (io.WriteCloser, error) { return w.CreatePart(ch) }, m.Invite)
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
