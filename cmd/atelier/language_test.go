package main

import (
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// twelveHour matches a time of day on the 12-hour clock.
var twelveHour = regexp.MustCompile(`\d (am|pm)\b|上午\d|下午\d|晚上\d`)

// TestSameTimeInPageAndMail: the time of a booking reads the same on its
// page and in its confirmation e-mail, on either clock (atelier.clock)
// and in either language: one function writes both.
func TestSameTimeInPageAndMail(t *testing.T) {
	mailWhen := map[string]*regexp.Regexp{
		"en":      regexp.MustCompile(`(?m)^When: (.+) \(Singapore time\)\r?$`),
		"zh-Hans": regexp.MustCompile(`(?m)^时间：(.+)（新加坡时间）\r?$`),
	}
	for _, tc := range []struct {
		clock, lang string
		twelve      bool // the time shows am/pm (上午/下午)
	}{
		{"12h", "en", true}, {"24h", "en", false}, {"12h", "zh-Hans", true}, {"24h", "zh-Hans", false},
	} {
		t.Run(tc.clock+"-"+tc.lang, func(t *testing.T) {
			s := newTestServer(t, "  # clock: 12h", "  clock: "+tc.clock)
			s.start()
			start := s.freeSlots()[0]
			var b struct {
				ID    string `json:"id"`
				Links struct {
					Manage string `json:"manage"`
				} `json:"links"`
				Customer struct {
					Language string `json:"language"`
				} `json:"customer"`
			}
			call(t, http.DefaultClient, http.MethodPost, s.base+"/api/v1/bookings", map[string]any{
				"service": "ring-sizing", "mode": "in_person", "start": start,
				"customer": map[string]string{"name": "Ada Lovelace", "email": "ada@example.com", "language": tc.lang},
			}, http.StatusCreated, &b)
			if b.Customer.Language != tc.lang {
				t.Fatalf("booking's language %q, want %s", b.Customer.Language, tc.lang)
			}
			m := mailWhen[tc.lang].FindStringSubmatch(mailText(t, s.customerMail("confirmation", b.ID)))
			if m == nil {
				t.Fatalf("no time line in the %s confirmation:\n%s", tc.lang, mailText(t, s.customerMail("confirmation", b.ID)))
			}
			when := m[1]
			if got := twelveHour.MatchString(when); got != tc.twelve {
				t.Errorf("e-mail time %q on the %s clock", when, tc.clock)
			}
			resp, err := http.Get(b.Links.Manage)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(html.UnescapeString(string(page)), "<dd>"+when+" ") {
				t.Errorf("the booking's page does not show %q as the e-mail does:\n%s", when, page)
			}
		})
	}
}
