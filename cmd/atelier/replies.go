package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atelier-app/atelier/internal/app"
	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/replies"
)

// newReplies is the reader of the organizer's mailbox (its Run is
// background work of the server), nil when mail.imap is off. The
// application is told whether it runs (app.Deps.Replies): only then do
// invites ask for an answer (RSVP=TRUE), and a "No" does what
// mail.declined_reply says.
func newReplies(ctx context.Context, cfg *config.Config, db database, a *app.App, logger *slog.Logger) (*replies.Reader, error) {
	i := cfg.Mail.IMAP
	if !i.Enabled() {
		return nil, nil
	}
	cursor := db.replyCursor()
	if cursor == nil {
		return nil, fmt.Errorf("mail.imap: the %s store does not keep replies yet; turn mail.imap off or run on SQLite", cfg.Database.Driver)
	}
	cat, err := db.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	r := &replies.Reader{
		Config: replies.Config{
			Addr: i.Address(), TLS: i.TLS, Username: i.Username, Password: i.Password,
			Mailbox: i.Mailbox, Processed: i.ProcessedMailbox, PollInterval: i.PollInterval,
			Location: cat.Atelier.Location,
		},
		Replies: a,
		Cursor:  cursor,
		Logger:  logger.With("worker", "replies"),
		Now:     time.Now,
	}
	// Never the password, nor the username (an address).
	logger.Info("reading the replies to invitations", "server", i.Address(), "tls", i.TLS, "mailbox", i.Mailbox,
		"processed", i.ProcessedMailbox, "declined_reply", cfg.Mail.DeclinedReply)
	return r, nil
}

// replyHealth is the "replies" member of /healthz: the reader's state, no
// server name, address or error text (the page is public; the log has
// the detail).
type replyHealth struct {
	State     string         `json:"state"`             // starting | ok | failing
	Problem   string         `json:"problem,omitempty"` // while failing: unreachable, tls, login, mailbox, connection, database
	Since     *httpapi.Time  `json:"since"`
	Failures  int            `json:"failures"` // failed attempts in a row
	LastCheck *httpapi.Time  `json:"last_check"`
	Mode      string         `json:"mode"` // idle | poll
	Acted     int            `json:"acted"`
	Refused   int            `json:"refused"`
	Skipped   map[string]int `json:"skipped"` // too_large, malformed
	Moving    string         `json:"moving"`  // ok | not_moved
}

func replyHealthOf(st replies.Status) (replyHealth, bool) {
	h := replyHealth{State: st.State, Problem: st.Problem, Since: timeOrNil(st.Since), Failures: st.Failures,
		LastCheck: timeOrNil(st.LastCheck), Mode: "poll", Acted: st.Acted, Refused: st.Refused, Skipped: st.Skipped, Moving: "ok"}
	if st.Idle {
		h.Mode = "idle"
	}
	if st.NotMoved {
		h.Moving = "not_moved"
	}
	if h.Skipped == nil {
		h.Skipped = map[string]int{}
	}
	return h, st.State == replies.StateFailing
}
