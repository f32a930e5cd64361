package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/atelier-app/atelier/internal/config"
	"github.com/atelier-app/atelier/internal/httpx"
	"github.com/atelier-app/atelier/internal/i18n"
)

// TestConfirmationBring checks that the booking's page says what to bring
// for its service and mode, with the general advice for a service that
// has none configured.
func TestConfirmationBring(t *testing.T) {
	env := mustOpenEnv(t, httpx.Config{}, envOptions{config: func(c *config.Config) {
		for i := range c.Services {
			switch c.Services[i].ID {
			case "ring-sizing":
				c.Services[i].Bring.InPerson = config.Text{"": "The ring you would like resized."}
			case "bespoke-design":
				c.Services[i].Bring = config.Bring{}
			}
		}
	}})
	b := env.MustBook(t, "ring-sizing", "in_person", "siti", time.Date(2026, 12, 12, 10, 30, 0, 0, Singapore))
	p := env.MustGet(t, strings.TrimPrefix(b.Links.Manage, env.URL))
	if p.Status != 200 || !strings.Contains(p.Body, `<h2 id="bring-title">What to bring</h2>`) || !strings.Contains(p.Body, "<p>The ring you would like resized.</p>") {
		t.Errorf("the booking's page does not give the service's advice:\n%s", p.Body)
	}
	v := env.MustBook(t, "bespoke-design", "virtual", "mei", time.Date(2026, 12, 15, 14, 0, 0, 0, Singapore))
	p = env.MustGet(t, strings.TrimPrefix(v.Links.Manage, env.URL))
	if !strings.Contains(p.Body, `<h2 id="bring-title">Before the call</h2>`) || !strings.Contains(p.Body, "<p>"+i18n.English().T("bring.virtual")+"</p>") {
		t.Errorf("the video call's page does not give the general advice:\n%s", p.Body)
	}
}
