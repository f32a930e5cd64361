package app

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atelier-app/atelier/internal/availability"
	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mailaddr"
)

// Limits on free-text fields, in characters (runes) unless noted.
const (
	maxNameLen  = 120
	maxEmailLen = 254 // bytes, RFC 5321 path limit
	maxPhoneLen = 40
	maxNotesLen = 2000
)

// validName checks a customer name: 1 to 120 characters, no control characters.
func validName(s string) string {
	switch n := utf8.RuneCountInString(s); {
	case strings.TrimSpace(s) == "":
		return "is required"
	case n > maxNameLen:
		return fmt.Sprintf("must be at most %d characters", maxNameLen)
	case hasControl(s, false):
		return "must not contain control characters"
	}
	return ""
}

// validEmail checks a bare address such as "ana@example.com": it must parse
// with net/mail as exactly itself (no display name, no comments), have a
// local part and a dotted domain, and fit in 254 bytes. A domain with
// non-ASCII letters (bücher.de) must be a valid IDNA name; it is sent as
// A-labels. A local part with them (zoë@) is accepted only when utf8Local
// says the mail transport can deliver it (SMTPUTF8).
func validEmail(s string, utf8Local bool) string {
	const msg = "must be a valid e-mail address"
	if s == "" {
		return "is required"
	}
	if len(s) > maxEmailLen {
		return fmt.Sprintf("must be at most %d characters", maxEmailLen)
	}
	if hasControl(s, false) || strings.ContainsAny(s, " <>\"") {
		return msg
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return msg
	}
	local, domain, ok := mailaddr.Split(s)
	if !ok || len(local) > 64 {
		return msg
	}
	if domain, err = mailaddr.ASCIIDomain(domain); err != nil {
		return msg
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(domain, "..") || strings.HasPrefix(domain, "[") {
		return msg
	}
	if !utf8Local && mailaddr.UTF8Local(s) {
		return "cannot receive our e-mails: our mail server does not take letters such as é or 中 before the @; please give another address"
	}
	return ""
}

// validPhone checks an optional phone number: digits, spaces and +()-.
func validPhone(s string) string {
	if len(s) > maxPhoneLen {
		return fmt.Sprintf("must be at most %d characters", maxPhoneLen)
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '(' || r == ')' || r == '-':
		default:
			return "may contain only digits, spaces and + ( ) -"
		}
	}
	if s != "" && digits == 0 {
		return "must contain digits"
	}
	return ""
}

// validNotes checks optional notes: at most 2000 characters; line breaks and
// tabs are the only control characters allowed.
func validNotes(s string) string {
	if utf8.RuneCountInString(s) > maxNotesLen {
		return fmt.Sprintf("must be at most %d characters", maxNotesLen)
	}
	if hasControl(s, true) {
		return "must not contain control characters"
	}
	return ""
}

func hasControl(s string, allowBreaks bool) bool {
	for _, r := range s {
		if allowBreaks && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// validateService checks the service, mode and artisan fields against the
// catalogue, adding messages to errs under prefix-less JSON paths. It
// returns the service when it is known.
func validateService(c *booking.Catalog, errs booking.FieldErrors, serviceID, mode, artisanID string) *booking.Service {
	var svc *booking.Service
	switch {
	case serviceID == "":
		errs.Add("service", "is required")
	default:
		if svc = c.Service(serviceID); svc == nil {
			errs.Add("service", "unknown service")
		}
	}
	m := booking.Mode(mode)
	switch {
	case mode == "":
		errs.Add("mode", "is required")
	case !m.Valid():
		errs.Add("mode", `must be "in_person" or "virtual"`)
	case svc != nil && !svc.Offers(m):
		errs.Add("mode", "is not offered for this service")
	}
	if artisanID != "" {
		switch ar := c.Artisan(artisanID); {
		case ar == nil:
			errs.Add("artisan", "unknown artisan")
		case svc != nil && !ar.Offers(svc.ID):
			errs.Add("artisan", "does not offer this service")
		}
	}
	return svc
}

// validateStart checks the start of a booking or reschedule request:
// given (unless errs already says why it could not be read), in the
// future and on the atelier's slot grid of local time. It reports whether
// start is valid; the errors go to errs under "start".
func validateStart(errs booking.FieldErrors, c *booking.Catalog, start time.Time, now time.Time) (time.Time, bool) {
	if _, unreadable := errs["start"]; unreadable {
		return start, false
	}
	switch {
	case start.IsZero():
		errs.Add("start", "is required")
		return time.Time{}, false
	case start.Before(now):
		errs.Add("start", "must be in the future")
		return start, false
	}
	loc := c.Atelier.Zone()
	tz := loc.String()
	if iv := c.Atelier.Rules.SlotInterval; !availability.OnGrid(start, iv, loc) {
		errs.Add("start", fmt.Sprintf("must be on the %d-minute slot grid of local time in %s (%s, ...: every %d minutes from 00:00; see GET /api/v1/availability)",
			int(iv/time.Minute), tz, gridExamples(iv), int(iv/time.Minute)))
		return start, false
	}
	return start, true
}

// unread adds to errs the fields an adapter could not read.
func unread(errs, fields booking.FieldErrors) {
	for f, msg := range fields {
		errs.Add(f, msg)
	}
}

// gridExamples lists the first grid times of a day: "00:00, 01:30, 03:00".
func gridExamples(iv time.Duration) string {
	var out []string
	for t := time.Duration(0); t < 24*time.Hour && len(out) < 3; t += iv {
		out = append(out, fmt.Sprintf("%02d:%02d", int(t/time.Hour), int(t%time.Hour/time.Minute)))
	}
	return strings.Join(out, ", ")
}
