package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/config"
)

func TestIMAPConfig(t *testing.T) {
	c := MustParse(t, minimal)
	want := config.IMAP{TLS: "tls", Mailbox: "INBOX", ProcessedMailbox: "Atelier replies", PollInterval: time.Minute}
	if got := c.Mail.IMAP; got != want || got.Enabled() {
		t.Errorf("default imap %+v (enabled %v), want %+v, off", got, got.Enabled(), want)
	}
	if c.Mail.DeclinedReply != config.DeclinedCancel {
		t.Errorf("declined_reply %q, want cancel", c.Mail.DeclinedReply)
	}

	c = MustParse(t, minimal+"mail: {declined_reply: notify, imap: {host: imap.example.com, username: u, password: p, poll_interval: 30s}}\n")
	if i := c.Mail.IMAP; !i.Enabled() || i.Address() != "imap.example.com:993" || i.PollInterval != 30*time.Second {
		t.Errorf("imap %+v at %s", i, i.Address())
	}
	if c.Mail.DeclinedReply != config.DeclinedNotify {
		t.Errorf("declined_reply %q", c.Mail.DeclinedReply)
	}
	for _, tc := range []struct{ tls, want string }{{"starttls", "imap.example.com:143"}, {"none", "imap.example.com:143"}} {
		c := MustParse(t, minimal+"mail: {imap: {host: imap.example.com, username: u, password: p, tls: "+tc.tls+"}}\n")
		if got := c.Mail.IMAP.Address(); got != tc.want {
			t.Errorf("tls %s: address %s, want %s", tc.tls, got, tc.want)
		}
	}

	tests := []struct {
		name, extra, want string
	}{
		{"NoUser", "mail: {imap: {host: h, password: p}}\n", "mail.imap.username: is required"},
		{"NoPassword", "mail: {imap: {host: h, username: u}}\n", "mail.imap.password: is required"},
		{"BadTLS", "mail: {imap: {host: h, username: u, password: p, tls: ssl}}\n", `mail.imap.tls: "ssl" is not one of tls, starttls, none`},
		{"BadPort", "mail: {imap: {port: 70000}}\n", "mail.imap.port: 70000 is not a port"},
		{"TooOften", "mail: {imap: {poll_interval: 1s}}\n", "mail.imap.poll_interval: must be at least 10s (got 1s)"},
		{"MoveIntoItself", "mail: {imap: {host: h, username: u, password: p, processed_mailbox: inbox}}\n", `mail.imap.processed_mailbox: "inbox" is the mailbox replies are read from`},
		{"BadDeclined", "mail: {declined_reply: ignore}\n", `mail.declined_reply: "ignore" is not one of cancel, notify`},
		{"UnknownKey", "mail: {imap: {server: h}}\n", "mail.imap.server: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(minimal + tt.extra))
			var ce *config.Error
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestIMAPWarnings(t *testing.T) {
	c := MustParse(t, minimal+"mail: {imap: {host: imap.example.com, username: u, password: secret, tls: none}}\n")
	w := strings.Join(c.Warnings(), "\n")
	if !strings.Contains(w, "mail.imap.tls is none") || strings.Contains(w, "secret") {
		t.Errorf("warnings %q, want the unencrypted password named (not shown)", w)
	}
	c = MustParse(t, minimal+"mail: {imap: {host: 127.0.0.1, username: u, password: p, tls: none}}\n")
	if w := strings.Join(c.Warnings(), "\n"); strings.Contains(w, "mail.imap.tls") {
		t.Errorf("loopback without TLS warned: %q", w)
	}
}
