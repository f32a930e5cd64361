package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-message"
)

// mailText returns the decoded subject and text parts of an e-mail.
func mailText(t *testing.T, raw []byte) string {
	t.Helper()
	m, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := m.Header.Text("Subject")
	out := subject + "\n"
	err = m.Walk(func(_ []int, e *message.Entity, err error) error {
		if err != nil {
			return err
		}
		if ct, _, _ := e.Header.ContentType(); ct == "text/plain" {
			b, err := io.ReadAll(e.Body)
			if err != nil {
				return err
			}
			out += string(b) + "\n"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMailNamesTheStoresCatalogue: a service and an artisan an admin
// renames in the app are named so in the next e-mails and invitation,
// without a restart, and the artisan's notice goes to the address the
// admin gave.
func TestMailNamesTheStoresCatalogue(t *testing.T) {
	s := newTestServer(t)
	s.start()
	admin := s.signIn("owner@example.com", "admin", "")
	call(t, admin, http.MethodPut, s.base+"/api/v1/staff/services/ring-sizing", map[string]any{"name": "Ring fitting"}, http.StatusOK, nil)
	call(t, admin, http.MethodPut, s.base+"/api/v1/staff/artisans/siti", map[string]any{"name": "Siti Rahmah", "email": "siti.rahmah@example.com"}, http.StatusOK, nil)

	from := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	to := time.Now().AddDate(0, 0, 12).Format(time.DateOnly)
	var av struct{ Slots []struct{ Start string } }
	call(t, http.DefaultClient, http.MethodGet, s.base+"/api/v1/availability?service=ring-sizing&mode=in_person&artisan=siti&from="+from+"&to="+to, nil, http.StatusOK, &av)
	if len(av.Slots) == 0 {
		t.Fatal("no free time with Siti")
	}
	var b struct{ ID string }
	call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
		"service": "ring-sizing", "mode": "in_person", "start": av.Slots[0].Start, "artisan": "siti",
		"customer": map[string]string{"name": "Ada Lovelace", "email": "ada@example.com"},
	}, http.StatusCreated, &b)

	raw := s.customerMail("confirmation", b.ID)
	text := mailText(t, raw)
	if !strings.Contains(text, "Ring fitting") || strings.Contains(text, "Ring sizing") || !strings.Contains(text, "Siti Rahmah") {
		t.Errorf("the confirmation does not use the app's names:\n%s", text)
	}
	if summary := inviteEvent(t, raw).Props.Get(ical.PropSummary); summary == nil || !strings.Contains(summary.Value, "Ring fitting") {
		t.Errorf("the invitation's SUMMARY is %v, want the app's name", summary)
	}
	notice := s.customerMail("staff_notice", b.ID)
	if !bytes.Contains(notice, []byte("siti.rahmah@example.com")) {
		t.Errorf("the artisan's notice does not go to the address set in the app:\n%s", notice)
	}
}
