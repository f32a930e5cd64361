package config

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// IMAP is the mailbox the customers' answers to invitations arrive in:
// the ORGANIZER's, atelier.email (internal/replies). An empty Host turns
// the reading off.
type IMAP struct {
	Host string `yaml:"host"`
	// Port defaults to 993 with tls and 143 with starttls or none.
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	TLS      string `yaml:"tls"` // tls | starttls | none
	// Mailbox is the folder replies arrive in.
	Mailbox string `yaml:"mailbox"`
	// ProcessedMailbox is where replies are moved once acted on (created
	// if missing); messages that are not replies to our invitations are
	// never touched.
	ProcessedMailbox string `yaml:"processed_mailbox"`
	// PollInterval is how often the mailbox is checked when the server
	// offers no IDLE, and the longest wait between two checks when it
	// does.
	PollInterval time.Duration `yaml:"poll_interval"`
}

// Enabled reports whether replies are read.
func (i IMAP) Enabled() bool { return strings.TrimSpace(i.Host) != "" }

// Address returns host:port, with the default port of the TLS mode.
func (i IMAP) Address() string {
	port := i.Port
	if port == 0 {
		port = 993
		if i.TLS != "tls" {
			port = 143
		}
	}
	return net.JoinHostPort(i.Host, fmt.Sprint(port))
}

func defaultIMAP() IMAP {
	return IMAP{TLS: "tls", Mailbox: "INBOX", ProcessedMailbox: "Atelier replies", PollInterval: time.Minute}
}

// Values of mail.declined_reply.
const (
	DeclinedCancel = "cancel"
	DeclinedNotify = "notify"
)

// minIMAPPoll is the shortest poll_interval: a mailbox provider treats a
// client checking more often as abuse.
const minIMAPPoll = 10 * time.Second

func (v *validator) imap(m *Mail) {
	v.oneOf("mail.declined_reply", m.DeclinedReply, DeclinedCancel, DeclinedNotify)
	i := m.IMAP
	v.oneOf("mail.imap.tls", i.TLS, "tls", "starttls", "none")
	if i.Port < 0 || i.Port > 65535 {
		v.add("mail.imap.port", "%d is not a port (1-65535, or 0 for the default of the tls mode)", i.Port)
	}
	if i.PollInterval < minIMAPPoll {
		v.add("mail.imap.poll_interval", "must be at least %s (got %s)", minIMAPPoll, i.PollInterval)
	}
	if !i.Enabled() {
		return
	}
	v.required("mail.imap.username", i.Username)
	v.required("mail.imap.password", i.Password)
	if v.required("mail.imap.mailbox", i.Mailbox) && v.required("mail.imap.processed_mailbox", i.ProcessedMailbox) &&
		sameMailbox(i.Mailbox, i.ProcessedMailbox) {
		v.add("mail.imap.processed_mailbox", "%q is the mailbox replies are read from", i.ProcessedMailbox)
	}
}

// sameMailbox compares mailbox names; INBOX is case-insensitive (RFC 3501).
func sameMailbox(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if strings.EqualFold(a, "INBOX") || strings.EqualFold(b, "INBOX") {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// imapWarnings are the start-up warnings about mail.imap.
func (c *Config) imapWarnings() []string {
	i := c.Mail.IMAP
	if !i.Enabled() {
		return nil
	}
	var w []string
	if i.TLS == "none" {
		if ip := net.ParseIP(i.Host); i.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			w = append(w, fmt.Sprintf("mail.imap.tls is none: the mailbox password goes to %s unencrypted", i.Host))
		}
	}
	if c.Atelier.Email == "" {
		w = append(w, "mail.imap is set but atelier.email is empty: invitations name no ORGANIZER, so no calendar sends replies")
	}
	return w
}
