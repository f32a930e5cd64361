// Package replies reads the customers' answers to the atelier's
// invitations from the organizer's mailbox over IMAP: iTIP REPLY
// (accepted, tentative, declined) and COUNTER (another time proposed)
// messages, as RFC 6047 carries them by mail. Each is parsed (message.go),
// handed to the application, which decides and records it in one
// transaction with the message's key (exactly once, see
// booking.ReplyStore), and then flagged \Seen and moved to the processed
// folder. Messages that are not replies to our bookings are never
// changed: they stay unread where they are, for staff.
//
// The reader waits for new mail with IMAP IDLE where the server offers it
// and polls otherwise. A fault (the server down, a refused login, a
// message too large or malformed) is logged once per cause, shown in its
// Status (/healthz), and never stops it or touches bookings.
package replies

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/atelier-app/atelier/internal/booking"
)

// MaxMessageBytes is the largest message the reader fetches: replies are
// a few kilobytes (Outlook's with a comment and a logo, tens). Anything
// larger is passed over without being downloaded.
const MaxMessageBytes = 2 << 20

// fetchBatch is how many messages' structures one FETCH asks for.
const fetchBatch = 50

// Applier acts on a reply (app.App.ApplyReply).
type Applier interface {
	ApplyReply(ctx context.Context, r booking.InboundReply) (booking.ReplyOutcome, error)
}

// CursorStore keeps where reading each mailbox resumes (sqlite.ReplyStore).
type CursorStore interface {
	ReplyCursor(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error)
	SetReplyCursor(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error
}

// Config is where the replies are read (config.IMAP).
type Config struct {
	Addr               string // host:port
	TLS                string // tls | starttls | none
	Username, Password string
	Mailbox            string // where replies arrive
	Processed          string // where they are moved once acted on; "" keeps them in Mailbox (read)
	PollInterval       time.Duration
	// TLSConfig overrides the TLS settings (tests trust their own
	// certificate with it); nil verifies the server's certificate
	// against the system's roots for the host of Addr.
	TLSConfig *tls.Config
	// Location is the zone of a proposed time written without one: the
	// atelier's.
	Location *time.Location
}

// States of the reader.
const (
	StateStarting = "starting" // not connected yet
	StateOK       = "ok"
	StateFailing  = "failing"
)

// Causes of a failing reader (Status.Problem).
const (
	ProblemUnreachable = "unreachable" // no connection to the server
	ProblemTLS         = "tls"         // the TLS handshake failed (certificate, protocol)
	ProblemLogin       = "login"       // the server refused the username or password
	ProblemMailbox     = "mailbox"     // the mailbox could not be opened
	ProblemConnection  = "connection"  // the connection failed while reading
	ProblemDatabase    = "database"    // a reply could not be recorded (it is read again)
)

// Status is what the reader shows of itself (/healthz, the log).
type Status struct {
	State   string    // StateStarting, StateOK or StateFailing
	Problem string    // while failing: one of the Problem causes
	Since   time.Time // when State (and Problem) began
	// Failures counts the failed attempts since the last good one.
	Failures int
	// LastCheck is when the reader last went through the mailbox to its
	// end.
	LastCheck time.Time
	// Idle says the server offers IDLE: new mail is seen at once; else
	// the mailbox is polled every PollInterval.
	Idle bool
	// Acted counts the replies that changed a booking or what staff see,
	// Refused those to our bookings that changed nothing (another sender,
	// an old SEQUENCE, ...), since the reader started.
	Acted, Refused int
	// Skipped counts messages passed over, by SkipTooLarge and
	// SkipMalformed.
	Skipped map[string]int
	// NotMoved says acted-on replies cannot be moved to the processed
	// folder (they are flagged \Seen and stay in the mailbox).
	NotMoved bool
}

// Reader reads replies from one mailbox until its context ends. Set the
// fields before Run.
type Reader struct {
	Config
	Replies Applier
	Cursor  CursorStore
	Logger  *slog.Logger
	Now     func() time.Time
	// MinBackoff and MaxBackoff bound the wait before connecting again
	// after a fault (doubling from the first to the second); a refused
	// login waits MaxBackoff at once, so that a wrong password does not
	// get the account locked. Zero means 1s and 5m.
	MinBackoff, MaxBackoff time.Duration

	mu sync.Mutex
	st Status
}

func (r *Reader) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Reader) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// Status returns a copy of the reader's state.
func (r *Reader) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.st
	if s.State == "" {
		s.State = StateStarting
	}
	s.Skipped = make(map[string]int, len(r.st.Skipped))
	for k, v := range r.st.Skipped {
		s.Skipped[k] = v
	}
	return s
}

// fault is a failure of a session, with its cause.
type fault struct {
	cause string
	err   error
}

func (f *fault) Error() string { return f.cause + ": " + f.err.Error() }
func (f *fault) Unwrap() error { return f.err }

func faultOf(cause string, err error) error {
	if err == nil {
		return nil
	}
	var f *fault
	if errors.As(err, &f) {
		return err
	}
	return &fault{cause: cause, err: err}
}

// Run reads the mailbox until ctx ends: it connects, goes through the
// messages after the cursor, waits for more (IDLE, or PollInterval), and
// after a fault connects again with backoff. It returns nil when ctx
// ends.
func (r *Reader) Run(ctx context.Context) error {
	if r.Replies == nil || r.Cursor == nil {
		return fmt.Errorf("replies: no store")
	}
	minWait, maxWait := r.MinBackoff, r.MaxBackoff
	if minWait <= 0 {
		minWait = time.Second
	}
	if maxWait <= 0 {
		maxWait = 5 * time.Minute
	}
	wait := minWait
	for {
		connected, err := r.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if connected {
			wait = minWait
		}
		cause := ProblemConnection
		var f *fault
		if errors.As(err, &f) {
			cause = f.cause
		}
		r.failing(cause, err)
		d := wait
		if cause == ProblemLogin {
			d = maxWait
		}
		wait = min(2*wait, maxWait)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// failing records a fault, and logs it when its cause is new.
func (r *Reader) failing(cause string, err error) {
	r.mu.Lock()
	same := r.st.State == StateFailing && r.st.Problem == cause
	if !same {
		r.st.State, r.st.Problem, r.st.Since = StateFailing, cause, r.now()
	}
	r.st.Failures++
	r.mu.Unlock()
	if !same {
		r.log().Warn("replies: cannot read the mailbox; trying again", "cause", cause, "err", err)
	}
}

// healthy records a working connection, and logs the recovery.
func (r *Reader) healthy(idle bool) {
	r.mu.Lock()
	was := r.st.State
	if was != StateOK {
		r.st.State, r.st.Problem, r.st.Since = StateOK, "", r.now()
	}
	r.st.Failures = 0
	r.st.Idle = idle
	r.mu.Unlock()
	switch was {
	case StateFailing:
		r.log().Info("replies: reading the mailbox again", "idle", idle)
	case "", StateStarting:
		r.log().Info("replies: reading the mailbox", "idle", idle)
	}
}

// session connects, logs in, opens the mailbox and reads it until a fault
// or the end of ctx. connected says the login and the mailbox worked.
func (r *Reader) session(ctx context.Context) (connected bool, err error) {
	defer func() {
		// Whatever a server or a message makes of the client or the
		// parsers, the reader connects again rather than stopping the
		// process.
		if p := recover(); p != nil {
			err = faultOf(ProblemConnection, fmt.Errorf("replies: panic: %v", p))
		}
	}()
	news := make(chan struct{}, 1)
	c, err := r.dial(ctx, news)
	if err != nil {
		return false, err
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
		}
		c.Close()
	}()

	if err := c.Login(r.Username, r.Password).Wait(); err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) {
			return false, faultOf(ProblemLogin, err)
		}
		return false, faultOf(ProblemConnection, err)
	}
	sel, err := c.Select(r.Mailbox, &imap.SelectOptions{}).Wait()
	if err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) {
			return false, faultOf(ProblemMailbox, err)
		}
		return false, faultOf(ProblemConnection, err)
	}
	caps := c.Caps()
	idle := caps.Has(imap.CapIdle) || caps.Has(imap.CapIMAP4rev2)
	r.ensureProcessed(c)
	r.healthy(idle)
	for {
		// Mail that arrives while the mailbox is read is seen by this
		// pass or signals the next.
		select {
		case <-news:
		default:
		}
		if err := r.pass(ctx, c, sel.UIDValidity); err != nil {
			return true, err
		}
		if err := r.wait(ctx, c, idle, news); err != nil {
			return true, err
		}
		if ctx.Err() != nil {
			return true, nil
		}
	}
}

// dial connects to the server as TLS says; news is signalled when the
// server reports new messages.
func (r *Reader) dial(ctx context.Context, news chan struct{}) (*imapclient.Client, error) {
	d := net.Dialer{Timeout: 30 * time.Second, KeepAlive: time.Minute}
	conn, err := d.DialContext(ctx, "tcp", r.Addr)
	if err != nil {
		return nil, faultOf(ProblemUnreachable, err)
	}
	host, _, _ := net.SplitHostPort(r.Addr)
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if r.TLSConfig != nil {
		tc = r.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = host
		}
	}
	opts := &imapclient.Options{
		TLSConfig: tc,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(m *imapclient.UnilateralDataMailbox) {
				if m.NumMessages != nil {
					select {
					case news <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	switch r.TLS {
	case "tls":
		tconn := tls.Client(conn, tc)
		hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := tconn.HandshakeContext(hctx)
		cancel()
		if err != nil {
			conn.Close()
			return nil, faultOf(ProblemTLS, err)
		}
		c = imapclient.New(tconn, opts)
	case "starttls":
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		c, err = imapclient.NewStartTLS(conn, opts)
		if err != nil {
			conn.Close()
			return nil, faultOf(ProblemTLS, err)
		}
		conn.SetDeadline(time.Time{})
	default:
		c = imapclient.New(conn, opts)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, faultOf(ProblemConnection, err)
	}
	return c, nil
}

// ensureProcessed creates the processed folder if it is missing. A
// failure is noted (NotMoved) and replies stay in the mailbox.
func (r *Reader) ensureProcessed(c *imapclient.Client) {
	if r.Processed == "" {
		return
	}
	list, err := c.List("", r.Processed, nil).Collect()
	if err == nil && len(list) > 0 {
		return
	}
	if err := c.Create(r.Processed, nil).Wait(); err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists {
			return
		}
		r.notMoved("the processed folder could not be created", err)
	}
}

// notMoved notes, once, that replies cannot be moved.
func (r *Reader) notMoved(why string, err error) {
	r.mu.Lock()
	first := !r.st.NotMoved
	r.st.NotMoved = true
	r.mu.Unlock()
	if first {
		r.log().Warn("replies: "+why+"; replies acted on stay in the mailbox, marked read", "err", err)
	}
}

// wait returns when the server reports new mail (IDLE), after
// PollInterval, or when ctx ends.
func (r *Reader) wait(ctx context.Context, c *imapclient.Client, idle bool, news chan struct{}) error {
	poll := r.PollInterval
	if poll <= 0 {
		poll = time.Minute
	}
	t := time.NewTimer(poll)
	defer t.Stop()
	if !idle {
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-c.Closed():
			return faultOf(ProblemConnection, errors.New("the server closed the connection"))
		}
		return nil
	}
	cmd, err := c.Idle()
	if err != nil {
		return faultOf(ProblemConnection, err)
	}
	select {
	case <-ctx.Done():
		return nil // the connection is being closed
	case <-news:
	case <-t.C:
	case <-c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return faultOf(ProblemConnection, err)
	}
	if err := cmd.Wait(); err != nil {
		return faultOf(ProblemConnection, err)
	}
	return nil
}

// pass examines every message after the cursor, in UID order, moving the
// cursor past each batch.
func (r *Reader) pass(ctx context.Context, c *imapclient.Client, validity uint32) error {
	stored, last, err := r.Cursor.ReplyCursor(ctx, r.Mailbox)
	if err != nil {
		return faultOf(ProblemDatabase, err)
	}
	if stored != validity {
		if stored != 0 {
			r.log().Info("replies: the mailbox was renumbered (new UIDVALIDITY): reading it again from the start; replies already acted on are recognised")
		}
		last = 0
	}
	res, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{{Start: imap.UID(last + 1), Stop: 0}}}}, nil).Wait()
	if err != nil {
		return faultOf(ProblemConnection, err)
	}
	var uids []imap.UID
	for _, u := range res.AllUIDs() {
		if uint32(u) > last { // "n:*" holds the last message even below n
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	for len(uids) > 0 {
		batch := uids[:min(len(uids), fetchBatch)]
		uids = uids[len(batch):]
		msgs, err := c.Fetch(imap.UIDSetNum(batch...), &imap.FetchOptions{
			UID: true, RFC822Size: true, InternalDate: true,
			BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		}).Collect()
		if err != nil {
			return faultOf(ProblemConnection, err)
		}
		slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
		for _, m := range msgs {
			if err := r.examine(ctx, c, validity, m); err != nil {
				return err
			}
		}
		// Every message of the batch was examined, those expunged meanwhile
		// included.
		if err := r.Cursor.SetReplyCursor(ctx, r.Mailbox, validity, uint32(batch[len(batch)-1])); err != nil {
			return faultOf(ProblemDatabase, err)
		}
	}
	r.mu.Lock()
	r.st.LastCheck = r.now()
	r.mu.Unlock()
	return nil
}

// examine reads one message and acts on it if it is a reply.
func (r *Reader) examine(ctx context.Context, c *imapclient.Client, validity uint32, m *imapclient.FetchMessageBuffer) error {
	if m.UID == 0 || m.BodyStructure == nil || !mayHoldCalendar(m.BodyStructure) {
		return nil // most mail: not even downloaded
	}
	where := Key("", r.Mailbox, validity, uint32(m.UID))
	if m.RFC822Size > MaxMessageBytes {
		r.skip(SkipTooLarge, where, nil)
		return nil
	}
	raw, err := r.fetchBody(c, m.UID)
	if err != nil {
		return err
	}
	if len(raw) > MaxMessageBytes {
		r.skip(SkipTooLarge, where, nil)
		return nil
	}
	msg, err := Parse(raw, r.Location)
	var bad *malformedError
	switch {
	case errors.Is(err, errNotReply):
		return nil
	case errors.As(err, &bad):
		r.skip(SkipMalformed, where, bad)
		return nil
	case err != nil:
		return faultOf(ProblemConnection, err)
	}
	reply := msg.Reply
	reply.Key = Key(msg.MessageID, r.Mailbox, validity, uint32(m.UID))
	reply.Mailbox, reply.UIDValidity, reply.MessageUID = r.Mailbox, validity, uint32(m.UID)
	if reply.Stamp.IsZero() {
		reply.Stamp = m.InternalDate.UTC()
	}
	outcome, err := r.Replies.ApplyReply(ctx, reply)
	if err != nil {
		return faultOf(ProblemDatabase, err)
	}
	if outcome == booking.ReplyUnknown {
		return nil // not one of ours: left alone
	}
	bookingID, _, _ := strings.Cut(reply.EventUID, "@")
	r.mu.Lock()
	switch {
	case outcome == booking.ReplyDuplicate:
	case outcome.Acted():
		r.st.Acted++
	default:
		r.st.Refused++
	}
	r.mu.Unlock()
	lvl := slog.LevelInfo
	if !outcome.Acted() && outcome != booking.ReplyDuplicate {
		lvl = slog.LevelWarn // refused: an operator may want to know
	}
	r.log().Log(ctx, lvl, "replies: reply read", "message", ShortKey(reply.Key), "booking", bookingID,
		"method", reply.Method, "outcome", string(outcome))
	r.file(c, m.UID)
	return nil
}

// fetchBody downloads one message, at most MaxMessageBytes+1 of it: the
// size announced may be wrong.
func (r *Reader) fetchBody(c *imapclient.Client, uid imap.UID) ([]byte, error) {
	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: MaxMessageBytes + 1}}
	cmd := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	var raw []byte
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			if b, ok := item.(imapclient.FetchItemDataBodySection); ok && b.Literal != nil {
				data, err := io.ReadAll(io.LimitReader(b.Literal, MaxMessageBytes+1))
				if err != nil {
					cmd.Close()
					return nil, faultOf(ProblemConnection, err)
				}
				raw = data
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, faultOf(ProblemConnection, err)
	}
	return raw, nil
}

// file flags a message acted on \Seen and moves it to the processed
// folder. Failures leave it where it is (its effect is recorded: read
// again, it is a duplicate) and are noted once.
func (r *Reader) file(c *imapclient.Client, uid imap.UID) {
	set := imap.UIDSetNum(uid)
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		r.notMoved("a reply could not be flagged as read", err)
		return
	}
	if r.Processed == "" {
		return
	}
	caps := c.Caps()
	// Without MOVE the client falls back on COPY, STORE \Deleted and
	// EXPUNGE, and without UIDPLUS that EXPUNGE would also remove every
	// message staff had marked deleted: better not move at all.
	if !caps.Has(imap.CapMove) && !caps.Has(imap.CapIMAP4rev2) && !caps.Has(imap.CapUIDPlus) {
		r.notMoved("the server offers neither MOVE nor UIDPLUS", errors.New("not moved"))
		return
	}
	if _, err := c.Move(set, r.Processed).Wait(); err != nil {
		r.notMoved("a reply could not be moved to the processed folder", err)
	}
}

// skip counts a message passed over and logs it once (it is not read
// again: the cursor moves past it).
func (r *Reader) skip(why, key string, err error) {
	r.mu.Lock()
	if r.st.Skipped == nil {
		r.st.Skipped = map[string]int{}
	}
	r.st.Skipped[why]++
	r.mu.Unlock()
	attrs := []any{"message", ShortKey(key), "why", why}
	if err != nil {
		attrs = append(attrs, "err", err)
	}
	r.log().Warn("replies: message passed over, left in the mailbox", attrs...)
}

// mayHoldCalendar reports whether a message's structure has a part that
// may be an iCalendar object (see isCalendarType).
func mayHoldCalendar(bs imap.BodyStructure) bool {
	found := false
	bs.Walk(func(_ []int, part imap.BodyStructure) bool {
		if found {
			return false
		}
		p, ok := part.(*imap.BodyStructureSinglePart)
		if !ok {
			return true
		}
		switch p.MediaType() {
		case "text/calendar", "application/ics", "text/x-vcalendar", "application/x-ics":
			found = true
		case "message/rfc822", "message/global":
		default:
			found = strings.HasSuffix(strings.ToLower(strings.TrimSpace(p.Filename())), ".ics")
		}
		return true
	})
	return found
}
