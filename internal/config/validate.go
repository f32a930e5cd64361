package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atelier-app/atelier/internal/booking"
	"github.com/atelier-app/atelier/internal/mailaddr"
)

// idPattern is the shape of room, service and artisan ids: they appear in
// URLs and in the database.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Catalog returns the atelier, its services and artisans as domain values.
// Each call builds a fresh catalogue that the caller may change. Closures
// from the file have Source "config" and no ID (the store assigns ids).
// An artisan with no working_hours works the atelier's opening hours.
func (c *Config) Catalog() (*booking.Catalog, error) {
	v := validator{}
	cat := v.catalog(c)
	if len(v.problems) > 0 {
		return nil, newError("", v.problems)
	}
	return cat, nil
}

// defaultFrom is mail.from when neither it nor atelier.email is set.
const defaultFrom = "Atelier <bookings@example.com>"

// normalize fills defaults that depend on other values and tidies values
// whose spelling does not matter.
func (c *Config) normalize() {
	c.Server.PublicURL = strings.TrimRight(c.Server.PublicURL, "/")
	if strings.TrimSpace(c.Mail.From) == "" {
		// The sender is the organizer of the invitations: the atelier.
		c.Mail.From = defaultFrom
		if e := strings.TrimSpace(c.Atelier.Email); e != "" {
			c.Mail.From = (&mail.Address{Name: c.Atelier.Name, Address: e}).String()
		}
	}
	for i := range c.Atelier.Closures {
		if c.Atelier.Closures[i].To == "" {
			c.Atelier.Closures[i].To = c.Atelier.Closures[i].From
		}
	}
	for i := range c.Artisans {
		if c.Artisans[i].GoogleCalendarID == "" {
			c.Artisans[i].GoogleCalendarID = DefaultGoogleCalendarID
		}
	}
}

// validator collects problems with their key paths.
type validator struct {
	idx      *nodeIndex // nil when validating a Config built in code
	problems []Problem
}

func (v *validator) add(path, format string, args ...any) {
	line := 0
	if v.idx != nil {
		line = v.idx.line(path)
	}
	v.problems = append(v.problems, Problem{Path: path, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) required(path, value string) bool {
	if strings.TrimSpace(value) == "" {
		v.add(path, "is required")
		return false
	}
	return true
}

func (v *validator) oneOf(path, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		v.add(path, "%q is not one of %s", value, strings.Join(allowed, ", "))
	}
}

func (v *validator) atLeast(path string, n, min int) {
	if n < min {
		v.add(path, "must be at least %d (got %d)", min, n)
	}
}

func (v *validator) positive(path string, d time.Duration) {
	if d <= 0 {
		v.add(path, "must be a positive duration such as 30s (got %s)", d)
	}
}

// httpURL checks an absolute http or https URL.
func (v *validator) httpURL(path, s string) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(path, "%q is not an absolute http(s) URL", s)
	}
}

// address checks a bare e-mail address ("name@example.com"); a domain
// with non-ASCII letters must be a valid internationalised domain name.
func (v *validator) address(path, s string) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		v.add(path, "%q is not an e-mail address", s)
		return
	}
	if _, domain, ok := mailaddr.Split(s); ok {
		if _, err := mailaddr.ASCIIDomain(domain); err != nil {
			v.add(path, "%q: %q is not a valid domain name", s, domain)
		}
	}
}

// utf8Addresses refuses configured addresses with non-ASCII local parts
// when the mail server cannot take them: every message to or from them
// would fail.
func (v *validator) utf8Addresses(c *Config) {
	if c.Mail.UTF8LocalParts() {
		return
	}
	check := func(path, addr string) {
		if addr != "" && mailaddr.UTF8Local(addr) {
			v.add(path, "%q has non-ASCII letters before the @, which only an SMTP server with SMTPUTF8 takes: set mail.smtp.smtputf8: true if yours offers it", addr)
		}
	}
	if from, err := mail.ParseAddress(c.Mail.From); err == nil {
		check("mail.from", from.Address)
	}
	check("atelier.email", c.Atelier.Email)
	for i, a := range c.Mail.AdminEmails {
		check(fmt.Sprintf("mail.admin_emails[%d]", i), a)
	}
	for i, a := range c.Artisans {
		check(fmt.Sprintf("artisans[%d].email", i), a.Email)
	}
}

func (v *validator) id(path, id string, seen map[string]string) {
	switch {
	case id == "":
		v.add(path, "is required")
	case !idPattern.MatchString(id):
		v.add(path, "%q is not a valid id (lower-case letters, digits and '-', starting with a letter or digit, at most 40)", id)
	case seen[id] != "":
		v.add(path, "duplicate id %q (also %s)", id, seen[id])
	default:
		seen[id] = strings.TrimSuffix(path, ".id")
	}
}

func (v *validator) config(c *Config) {
	v.server(&c.Server)

	v.oneOf("log.format", c.Log.Format, "text", "json")
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.database(&c.Database) // database.go
	v.opsServer(&c.Server)  // ops.go
	v.atLeast("limits.bookings_per_minute", c.Limits.BookingsPerMinute, 0)
	v.atLeast("limits.logins_per_minute", c.Limits.LoginsPerMinute, 0)
	v.atLeast("limits.link_requests_per_hour", c.Limits.LinkRequestsPerHour, 0)

	v.catalog(c)
	v.face(c)        // face.go
	v.languages(c)   // languages.go
	v.commissions(c) // commissions.go
	v.atLeast("booking.idempotency_ttl_hours", c.Booking.IdempotencyTTLHours, 1)

	v.mail(&c.Mail)
	v.utf8Addresses(c)
	v.meetings(c)
	v.google(&c.GoogleCalendar)
	v.privacy(&c.Privacy) // privacy.go

	v.positive("staff.session_idle_timeout", c.Staff.SessionIdleTimeout)
	v.positive("staff.session_max_age", c.Staff.SessionMaxAge)
	if c.Staff.SessionIdleTimeout > c.Staff.SessionMaxAge && c.Staff.SessionMaxAge > 0 {
		v.add("staff.session_idle_timeout", "%s is longer than staff.session_max_age (%s)", c.Staff.SessionIdleTimeout, c.Staff.SessionMaxAge)
	}
}

func (v *validator) server(s *Server) {
	// An empty host (":8080") listens on every address.
	if _, port, err := net.SplitHostPort(s.Addr); err != nil {
		v.add("server.addr", "%q is not host:port (e.g. 127.0.0.1:8080)", s.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.add("server.addr", "%q has no valid port", s.Addr)
	}
	v.httpURL("server.public_url", s.PublicURL)
	if u, err := url.Parse(s.PublicURL); err == nil && (u.RawQuery != "" || u.Fragment != "") {
		v.add("server.public_url", "%q must not have a query or fragment", s.PublicURL)
	}
	s.TrustedPrefixes = s.TrustedPrefixes[:0]
	for i, p := range s.TrustedProxies {
		path := fmt.Sprintf("server.trusted_proxies[%d]", i)
		if pfx, err := netip.ParsePrefix(p); err == nil {
			s.TrustedPrefixes = append(s.TrustedPrefixes, pfx.Masked())
		} else if addr, err := netip.ParseAddr(p); err == nil {
			s.TrustedPrefixes = append(s.TrustedPrefixes, netip.PrefixFrom(addr, addr.BitLen()))
		} else {
			v.add(path, "%q is not an IP address or CIDR (e.g. 10.0.0.0/8)", p)
		}
	}
	v.positive("server.read_timeout", s.ReadTimeout)
	v.positive("server.write_timeout", s.WriteTimeout)
	v.positive("server.idle_timeout", s.IdleTimeout)
	v.positive("server.read_header_timeout", s.ReadHeaderTimeout)
	v.positive("server.shutdown_timeout", s.ShutdownTimeout)
}

func (v *validator) mail(m *Mail) {
	if v.required("mail.from", m.From) {
		if a, err := mail.ParseAddress(m.From); err != nil {
			v.add("mail.from", "%q is not an e-mail address (e.g. \"Atelier <bookings@example.com>\")", m.From)
		} else if _, domain, ok := mailaddr.Split(a.Address); ok {
			if _, err := mailaddr.ASCIIDomain(domain); err != nil {
				v.add("mail.from", "%q: %q is not a valid domain name", m.From, domain)
			}
		}
	}
	if m.SMTP.Host == "" {
		v.required("mail.outbox_dir", m.OutboxDir)
	}
	if m.SMTP.Port < 1 || m.SMTP.Port > 65535 {
		v.add("mail.smtp.port", "%d is not a port (1-65535)", m.SMTP.Port)
	}
	v.oneOf("mail.smtp.tls", m.SMTP.TLS, "starttls", "tls", "none")
	if m.SMTP.Password != "" && m.SMTP.Username == "" {
		v.add("mail.smtp.username", "is required with a password")
	}
	v.atLeast("mail.reminder_hours_before", m.ReminderHoursBefore, 0)
	for i, a := range m.AdminEmails {
		v.address(fmt.Sprintf("mail.admin_emails[%d]", i), a)
	}
	v.imap(m) // replies.go
}

func (v *validator) meetings(c *Config) {
	m := c.Meetings
	v.oneOf("meetings.provider", m.Provider, "jitsi", "static")
	switch m.Provider {
	case "jitsi":
		v.httpURL("meetings.jitsi_base_url", m.JitsiBaseURL)
	case "static":
		virtual := map[string]bool{}
		for _, s := range c.Services {
			virtual[s.ID] = slices.Contains(s.Modes, string(booking.Virtual))
		}
		for i, a := range c.Artisans {
			if a.MeetingURL != "" {
				continue
			}
			for _, s := range a.Services {
				if virtual[s] {
					v.add(fmt.Sprintf("artisans[%d].meeting_url", i), "is required with meetings.provider static: %s offers the virtual service %q", a.ID, s)
					break
				}
			}
		}
	}
}

func (v *validator) google(g *GoogleCalendar) {
	v.oneOf("google_calendar.auth", g.Auth, GoogleAuthServiceAccount, GoogleAuthOAuth, GoogleAuthNone)
	if g.Endpoint != "" {
		v.httpURL("google_calendar.endpoint", g.Endpoint)
	} else if g.Auth == GoogleAuthNone {
		v.add("google_calendar.auth", "none is only allowed with google_calendar.endpoint set (a test server or emulator)")
	}
	if g.Enabled {
		switch g.Auth {
		case GoogleAuthServiceAccount:
			v.required("google_calendar.service_account_key_file", g.ServiceAccountKeyFile)
		case GoogleAuthOAuth:
			v.required("google_calendar.oauth_client_id", g.OAuthClientID)
			v.required("google_calendar.oauth_client_secret", g.OAuthClientSecret)
		}
	}
	if g.SyncInterval < 10*time.Second {
		v.add("google_calendar.sync_interval", "must be at least 10s (got %s)", g.SyncInterval)
	}
	v.positive("google_calendar.freebusy_timeout", g.FreeBusyTimeout)
}

// catalog validates the atelier, booking rules, services and artisans and
// builds the domain catalogue from them.
func (v *validator) catalog(c *Config) *booking.Catalog {
	cat := &booking.Catalog{}
	a := &cat.Atelier
	ca := c.Atelier

	a.Name, a.Address, a.Phone, a.Email, a.MapURL = ca.Name, ca.Address, ca.Phone, ca.Email, ca.MapURL
	if a.Email == "" {
		// The atelier's address is the ORGANIZER of every invitation (where
		// calendar replies go): without one, the sender's.
		if from, err := mail.ParseAddress(c.Mail.From); err == nil {
			a.Email = from.Address
		}
	}
	v.required("atelier.name", ca.Name)
	if v.required("atelier.timezone", ca.Timezone) {
		a.Timezone = ca.Timezone
		loc, err := booking.LoadZone(ca.Timezone)
		if err != nil {
			v.add("atelier.timezone", "%s", err)
		}
		a.Location = loc
	}
	if ca.Email != "" {
		v.address("atelier.email", ca.Email)
	}
	if ca.MapURL != "" {
		v.httpURL("atelier.map_url", ca.MapURL)
	}

	rooms := map[string]string{}
	for i, r := range ca.Rooms {
		path := fmt.Sprintf("atelier.rooms[%d]", i)
		v.id(path+".id", r.ID, rooms)
		v.required(path+".name", r.Name)
		a.Rooms = append(a.Rooms, booking.Room{ID: r.ID, Name: r.Name})
	}

	before := len(v.problems)
	a.Hours = v.hours("atelier.opening_hours", ca.OpeningHours)
	if !open(a.Hours) && ca.OpeningHours != nil && len(v.problems) == before {
		v.add("atelier.opening_hours", "the atelier is closed every day")
	} else if ca.OpeningHours == nil {
		v.add("atelier.opening_hours", "is required (a missing day is closed)")
	}

	a.DateHours = v.dateHours("atelier.date_hours", "", ca.DateHours)

	for i, cl := range ca.Closures {
		path := fmt.Sprintf("atelier.closures[%d]", i)
		from, okFrom := v.date(path+".from", cl.From)
		to, okTo := from, okFrom
		if cl.To != cl.From {
			to, okTo = v.date(path+".to", cl.To)
		}
		if okFrom && okTo && to.Before(from) {
			v.add(path+".to", "%s is before from (%s)", to, from)
		}
		a.Closures = append(a.Closures, booking.Closure{From: from, To: to, Reason: cl.Reason, Source: "config"})
	}

	b := c.Booking
	v.atLeast("booking.min_notice_minutes", b.MinNoticeMinutes, 0)
	if b.HorizonDays < 1 || b.HorizonDays > 730 {
		v.add("booking.horizon_days", "must be between 1 and 730 (got %d)", b.HorizonDays)
	}
	if n := b.SlotIntervalMinutes; n < 5 || n > 240 || 1440%n != 0 {
		v.add("booking.slot_interval_minutes", "must divide a day evenly and be between 5 and 240, such as 15, 30 or 60 (got %d)", n)
	}
	a.Rules = booking.Rules{
		MinNotice:    time.Duration(b.MinNoticeMinutes) * time.Minute,
		HorizonDays:  b.HorizonDays,
		SlotInterval: time.Duration(b.SlotIntervalMinutes) * time.Minute,
	}
	v.policy("booking", &b.ChangeCutoffHours, &b.MaxReschedules)
	a.Rules.ChangeCutoff = time.Duration(b.ChangeCutoffHours) * time.Hour
	a.Rules.MaxReschedules = b.MaxReschedules
	a.Rules.PolicyNote = strings.TrimSpace(b.PolicyText)
	if b.PendingHours < 1 || b.PendingHours > booking.MaxPendingHours {
		v.add("booking.pending_hours", "must be between 1 and %d hours (got %d)", booking.MaxPendingHours, b.PendingHours)
	}
	a.Rules.PendingFor = time.Duration(b.PendingHours) * time.Hour
	if len(a.Rules.PolicyNote) > maxPolicyText {
		v.add("booking.policy_text", "must be at most %d bytes (got %d)", maxPolicyText, len(a.Rules.PolicyNote))
	}

	v.services(c, cat)
	v.artisans(c, cat)
	return cat
}

// maxPolicyText is the longest booking.policy_text, in bytes.
const maxPolicyText = 2000

// policy checks a cutoff (hours, at most 90 days) and a reschedule limit
// at path (booking, services[i]); nil is a value left out.
func (v *validator) policy(path string, cutoff, limit *int) {
	if cutoff != nil && (*cutoff < 0 || *cutoff > 90*24) {
		v.add(path+".change_cutoff_hours", "must be between 0 and 2160 hours (got %d)", *cutoff)
	}
	if limit != nil && (*limit < 0 || *limit > 100) {
		v.add(path+".max_reschedules", "must be between 0 (no limit) and 100 (got %d)", *limit)
	}
}

func open(w booking.WeekHours) bool {
	for _, spans := range w {
		if len(spans) > 0 {
			return true
		}
	}
	return false
}

func (v *validator) date(path, s string) (booking.Date, bool) {
	if !v.required(path, s) {
		return booking.Date{}, false
	}
	d, err := booking.ParseDate(s)
	if err != nil {
		v.add(path, "%s", err)
		return booking.Date{}, false
	}
	return d, true
}

func (v *validator) services(c *Config, cat *booking.Catalog) {
	seen := map[string]string{}
	inPerson := false
	for i, s := range c.Services {
		path := fmt.Sprintf("services[%d]", i)
		v.id(path+".id", s.ID, seen)
		v.required(path+".name", s.Name)
		if d := s.DurationMinutes; d <= 0 || d%5 != 0 || d > 1440 {
			v.add(path+".duration_minutes", "must be a positive multiple of 5 minutes, at most 1440 (got %d)", d)
		}
		svc := booking.Service{
			ID:          s.ID,
			Name:        s.Name,
			Description: s.Description,
			Duration:    time.Duration(s.DurationMinutes) * time.Minute,
			Buffers:     map[booking.Mode]booking.Buffer{},
		}
		if len(s.Modes) == 0 {
			v.add(path+".modes", "needs at least one of in_person, virtual")
		}
		for j, m := range s.Modes {
			mpath := fmt.Sprintf("%s.modes[%d]", path, j)
			mode := booking.Mode(m)
			switch {
			case !mode.Valid():
				v.add(mpath, "unknown mode %q (use in_person or virtual)", m)
			case slices.Contains(svc.Modes, mode):
				v.add(mpath, "mode %q is listed twice", m)
			default:
				svc.Modes = append(svc.Modes, mode)
			}
		}
		for _, mb := range []struct {
			mode booking.Mode
			b    Buffer
		}{{booking.InPerson, s.Buffers.InPerson}, {booking.Virtual, s.Buffers.Virtual}} {
			bpath := path + ".buffers." + string(mb.mode)
			for _, f := range []struct {
				key string
				n   int
			}{{"before_minutes", mb.b.BeforeMinutes}, {"after_minutes", mb.b.AfterMinutes}} {
				if f.n < 0 || f.n > 1440 {
					v.add(bpath+"."+f.key, "must be between 0 and 1440 (got %d)", f.n)
				}
			}
			if svc.Offers(mb.mode) {
				svc.Buffers[mb.mode] = booking.Buffer{
					Before: time.Duration(mb.b.BeforeMinutes) * time.Minute,
					After:  time.Duration(mb.b.AfterMinutes) * time.Minute,
				}
			}
		}
		svc.Questions = v.questions(path+".questions", s.Questions) // questions.go
		if svc.Offers(booking.InPerson) {
			inPerson = true
			if len(c.Atelier.Rooms) == 0 {
				v.add(path+".modes", "in_person needs at least one room in atelier.rooms")
			}
		}
		v.policy(path, s.ChangeCutoffHours, s.MaxReschedules)
		if s.ChangeCutoffHours != nil {
			d := time.Duration(*s.ChangeCutoffHours) * time.Hour
			svc.ChangeCutoff = &d
		}
		if s.MaxReschedules != nil {
			n := *s.MaxReschedules
			svc.MaxReschedules = &n
		}
		svc.Private = s.Public != nil && !*s.Public
		svc.RequiresConfirmation = s.RequiresConfirmation
		cat.Services = append(cat.Services, svc)
	}
	if len(c.Services) == 0 {
		v.add("services", "at least one service is required")
	}
	if inPerson {
		v.required("atelier.address", c.Atelier.Address)
	}
}

func (v *validator) artisans(c *Config, cat *booking.Catalog) {
	seen := map[string]string{}
	offered := map[string]bool{}
	for i, ar := range c.Artisans {
		path := fmt.Sprintf("artisans[%d]", i)
		v.id(path+".id", ar.ID, seen)
		v.required(path+".name", ar.Name)
		if ar.Email != "" {
			v.address(path+".email", ar.Email)
		}
		if ar.MeetingURL != "" {
			v.httpURL(path+".meeting_url", ar.MeetingURL)
		}
		v.atLeast(path+".daily_cap", ar.DailyCap, 0)
		art := booking.Artisan{
			ID:       ar.ID,
			Name:     ar.Name,
			Bio:      ar.Bio,
			Email:    ar.Email,
			DailyCap: ar.DailyCap,
			// The link is the store's from then on (an admin may change it).
			MeetingURL: ar.MeetingURL,
		}
		if len(ar.Services) == 0 {
			v.add(path+".services", "the artisan offers no services")
		}
		for j, id := range ar.Services {
			spath := fmt.Sprintf("%s.services[%d]", path, j)
			svc := cat.Service(id)
			switch {
			case svc == nil:
				v.add(spath, "unknown service %q", id)
			case art.Offers(id):
				v.add(spath, "service %q is listed twice", id)
			default:
				art.Services = append(art.Services, id)
				offered[id] = true
				if !slices.Contains(svc.Artisans, ar.ID) {
					svc.Artisans = append(svc.Artisans, ar.ID)
				}
			}
		}
		if ar.WorkingHours == nil {
			art.Hours = cat.Atelier.Hours.Clone()
		} else {
			before := len(v.problems)
			art.Hours = v.hours(path+".working_hours", ar.WorkingHours)
			if !open(art.Hours) && len(v.problems) == before {
				v.add(path+".working_hours", "the artisan works no day (leave working_hours out to use the opening hours)")
			}
		}
		art.DateHours = v.dateHours(path+".date_hours", ar.ID, ar.DateHours)
		cat.Artisans = append(cat.Artisans, art)
	}
	if len(c.Artisans) == 0 {
		v.add("artisans", "at least one artisan is required")
	}
	// A service nobody offers would be listed to customers with no time
	// ever free: treat it as a mistake rather than a warning.
	for i, s := range c.Services {
		if s.ID != "" && !offered[s.ID] && len(c.Artisans) > 0 {
			v.add(fmt.Sprintf("services[%d].id", i), "no artisan offers %q; add it to an artisan's services or remove it", s.ID)
		}
	}
	v.artisansNeeded(c, cat)
}

// artisansNeeded checks services[].artisans_needed against the artisans
// who offer each service and sets it in the catalogue.
func (v *validator) artisansNeeded(c *Config, cat *booking.Catalog) {
	for i, s := range c.Services {
		svc := cat.Service(s.ID)
		if svc == nil || s.ArtisansNeeded == 0 {
			continue
		}
		path := fmt.Sprintf("services[%d].artisans_needed", i)
		switch n := s.ArtisansNeeded; {
		case n < 1:
			v.add(path, "must be at least 1 (got %d)", n)
		case n > len(svc.Artisans):
			v.add(path, "is %d but only %d artisans offer %q: list the service under more artisans' services or need fewer", n, len(svc.Artisans), s.ID)
		case n > 1: // one is the zero value, as in the stores' catalogues
			svc.ArtisansNeeded = n
		}
	}
}

// spans validates the spans of one day, written at path.key[i], and
// returns them in order (booking.CheckDay's rule).
func (v *validator) spans(path, key string, list []Span) []booking.Span {
	var spans []booking.Span
	var where []int // index in the file of each parsed span
	for i, s := range list {
		spath := fmt.Sprintf("%s.%s[%d]", path, key, i)
		if s.malformed != "" {
			v.add(spath, "%s is not a span; write [\"10:00\", \"19:00\"] or \"10:00-19:00\"", s.malformed)
			continue
		}
		start, err1 := booking.ParseClock(s.Start)
		end, err2 := booking.ParseClock(s.End)
		switch {
		case err1 != nil:
			v.add(spath, "%s", err1)
			continue
		case err2 != nil:
			v.add(spath, "%s", err2)
			continue
		}
		spans = append(spans, booking.Span{Start: start, End: end})
		where = append(where, i)
	}
	sorted, problems := booking.CheckDay(key, spans, where)
	for _, p := range problems {
		v.add(path+"."+p.Field, "%s", p.Message)
	}
	return sorted
}

// dateHours validates hours set for dates (atelier.date_hours,
// artisans[i].date_hours): a date once each, its spans as a day's of the
// weekly hours; an empty list closes the date.
func (v *validator) dateHours(path, artisan string, list []DateHours) []booking.DateHours {
	var out []booking.DateHours
	seen := map[booking.Date]int{}
	for i, dh := range list {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		d, ok := v.date(ipath+".date", dh.Date)
		spans := v.spans(ipath, "hours", dh.Hours)
		if !ok {
			continue
		}
		if j, dup := seen[d]; dup {
			v.add(ipath+".date", "%s is given twice (also %s[%d])", d, path, j)
			continue
		}
		seen[d] = i
		out = append(out, booking.DateHours{Date: d, ArtisanID: artisan, Hours: spans, Source: "config"})
	}
	slices.SortFunc(out, func(a, b booking.DateHours) int { return a.Date.Compare(b.Date) })
	return out
}

// hours validates a week of spans and returns it with each day's spans in
// order. Reading the file's spans is config's; what makes a day's spans
// wrong is the domain's one rule (booking.CheckDay), so the file, the API
// and the staff pages say the same. Problems name the span as written
// ("mon[1]").
func (v *validator) hours(path string, h Hours) booking.WeekHours {
	var w booking.WeekHours
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var given [7]string
	for _, key := range keys {
		day, ok := booking.ParseDay(key)
		switch {
		case !ok:
			v.add(path+"."+key, "%s", booking.UnknownDay(key))
			continue
		case given[day] != "":
			v.add(path+"."+key, "%s", booking.SameDay(key, given[day]))
			continue
		}
		given[day] = key
		sorted := v.spans(path, key, h[key])
		w[day] = sorted
	}
	return w
}
