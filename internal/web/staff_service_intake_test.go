package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// formOf is what a browser sends from the form of body posting to action:
// its fields with their values, the checked boxes only, each select's
// chosen option.
func formOf(t *testing.T, body, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	text := func(n *html.Node) string {
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
		return b.String()
	}
	out := url.Values{}
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			switch n.Data {
			case "form":
				a, _ := attr(n, "action")
				in = a == action
			case "input":
				typ, _ := attr(n, "type")
				_, checked := attr(n, "checked")
				v, _ := attr(n, "value")
				if in && named && (typ != "checkbox" && typ != "radio" || checked) && typ != "submit" && typ != "file" {
					out.Add(name, v)
				}
			case "textarea":
				if in && named {
					out.Add(name, strings.TrimPrefix(text(n), "\n"))
				}
			case "select":
				if in && named {
					first, chosen := "", ""
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						if c.Type == html.ElementNode && c.Data == "option" {
							v, _ := attr(c, "value")
							if first == "" {
								first = v
							}
							if _, sel := attr(c, "selected"); sel {
								chosen = v
							}
						}
					}
					if chosen == "" {
						chosen = first
					}
					out.Add(name, chosen)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(doc, false)
	if len(out) == 0 {
		t.Fatalf("no form posting to %s", action)
	}
	return out
}

// TestStaffServiceIntakeEditor: the service page lists the intake form's
// questions and the service's own policy; saving it unchanged changes
// nothing; a question added there is asked of customers at once, one
// removed is no longer asked, a wrong one is refused on its row with
// nothing changed, and the policy overrides are set and cleared.
func TestStaffServiceIntakeEditor(t *testing.T) {
	env := MustOpenEnv(t)
	env.MustCreateUser(t, "boss@example.com", "Boss", "")
	admin := env.mustSignIn(t, "boss@example.com")
	ctx := context.Background()
	questions := func() []string {
		t.Helper()
		items, err := env.App.CatalogueItems(ctx, testAdmin)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, q := range items.Service("recycled-gold-remodelling").Questions {
			ids = append(ids, q.ID+":"+string(q.Type))
		}
		return ids
	}
	before := questions()
	const page = "/staff/services/recycled-gold-remodelling"
	edit := env.get(t, admin, page)
	if edit.Status != http.StatusOK {
		t.Fatalf("the service page: %d", edit.Status)
	}
	for _, want := range []string{"Questions asked when it is booked", `name="q1-label"`, "Add a question", `name="change_cutoff_hours"`} {
		if !strings.Contains(edit.Body, want) {
			t.Errorf("the service page lacks %s", want)
		}
	}
	form := formOf(t, edit.Body, page)
	if p := env.postForm(t, admin, page, form); p.Status != http.StatusSeeOther {
		t.Fatalf("saving the page unchanged: %d\n%s", p.Status, p.Body)
	}
	if got := questions(); strings.Join(got, ",") != strings.Join(before, ",") {
		t.Fatalf("saving unchanged turned the questions %v into %v", before, got)
	}

	// Add a required number question in grams with a lower bound, first,
	// and remove the last one; set a cutoff of 48 hours.
	form = formOf(t, env.get(t, admin, page).Body, page)
	n := len(before) + 1 // the empty row
	blank := "q" + strconv.Itoa(n) + "-"
	form.Set(blank+"label", "Roughly how many grams of silver?")
	form.Set(blank+"type", "number")
	form.Set(blank+"unit", "g")
	form.Set(blank+"min", "0")
	form.Set(blank+"required", "1")
	form.Set(blank+"order", "0")
	form.Set("q"+strconv.Itoa(len(before))+"-remove", "1")
	form.Set("change_cutoff_hours", "48")
	if p := env.postForm(t, admin, page, form); p.Status != http.StatusSeeOther {
		t.Fatalf("adding a question: %d\n%s", p.Status, p.Body)
	}
	got := questions()
	if len(got) != len(before) || got[0] != "roughly-how-many-grams-of-silver:number" || got[1] != before[0] {
		t.Fatalf("after adding one first and removing the last: %v (before %v)", got, before)
	}
	c, err := env.App.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc := c.Service("recycled-gold-remodelling")
	if svc.ChangeCutoff == nil || svc.ChangeCutoff.Hours() != 48 || !svc.Questions[0].Required || svc.Questions[0].Unit != "g" {
		t.Errorf("the service as booked: cutoff %v, first question %+v", svc.ChangeCutoff, svc.Questions[0])
	}
	start := time.Date(2026, 12, 9, 11, 0, 0, 0, Singapore).Format(time.RFC3339)
	details := env.get(t, "", "/book/details?"+url.Values{"service": {"recycled-gold-remodelling"}, "mode": {"in_person"},
		"artisan": {"any"}, "tz": {"Asia/Singapore"}, "start": {start}, "key": {"AAAAAAAAAAAAAAAAAAAAAA"}}.Encode())
	if !strings.Contains(details.Body, "Roughly how many grams of silver?") {
		t.Errorf("customers are not asked the new question: %d\n%s", details.Status, details.Body)
	}

	// A choice with no options is refused on its row, and nothing changes.
	form = formOf(t, env.get(t, admin, page).Body, page)
	form.Set("q1-type", "choice")
	bad := env.postForm(t, admin, page, form)
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `id="question-1"`) ||
		!strings.Contains(bad.Body, "Its options") {
		t.Errorf("a choice without options: %d\n%s", bad.Status, bad.Body)
	}
	if again := questions(); strings.Join(again, ",") != strings.Join(got, ",") {
		t.Errorf("a refused form changed the questions to %v", again)
	}

	// Emptying the cutoff gives the atelier's rule back.
	form = formOf(t, env.get(t, admin, page).Body, page)
	form.Set("change_cutoff_hours", "")
	if p := env.postForm(t, admin, page, form); p.Status != http.StatusSeeOther {
		t.Fatalf("clearing the cutoff: %d", p.Status)
	}
	if c, _ = env.App.Catalog(ctx); c.Service("recycled-gold-remodelling").ChangeCutoff != nil {
		t.Error("an empty cutoff did not give the atelier's rule back")
	}
}
