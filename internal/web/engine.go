package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/atelier-app/atelier/internal/i18n"
)

// engine holds the page templates, each parsed once with the layout and
// the partials (the miniflux pattern: one *template.Template per page),
// once per shipped language: T and N in a template are that language's
// messages (internal/i18n).
type engine struct {
	pages map[string]map[string]*template.Template // by language, then page
}

// newEngine parses templates/layout.html, templates/partials/*.html and
// each templates/*.html page in root.
func newEngine(root fs.FS, as *assets) (*engine, error) {
	all, err := i18n.New(i18n.Shipped(), "")
	if err != nil {
		return nil, err
	}
	e := &engine{pages: map[string]map[string]*template.Template{}}
	for _, l := range all.Languages() {
		pages, err := parsePages(root, as, l)
		if err != nil {
			return nil, err
		}
		e.pages[l.Name()] = pages
	}
	return e, nil
}

// parsePages parses every page with the messages of l.
func parsePages(root fs.FS, as *assets, l *i18n.Lang) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		// T and N are the message catalogue: {{T "id" "Name" .Value}},
		// {{N "id" .Count}}.
		"T":     l.T,
		"N":     l.N,
		"asset": as.URL,
		// add lets templates number things from 1.
		"add": func(a, b int) int { return a + b },
		// errorID is the id of a field's error message, for aria-describedby.
		"errorID": func(field string) string { return "err-" + strings.ReplaceAll(field, ".", "-") },
	}
	pages, err := fs.Glob(root, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("listing templates: %w", err)
	}
	partials, err := fs.Glob(root, "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("listing partials: %w", err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" {
			continue
		}
		files := append([]string{"templates/layout.html"}, partials...)
		files = append(files, p)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(root, files...)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// render executes page into a buffer and writes it with status only when
// the whole page rendered, so a template error never sends half a page:
// an error is returned only when nothing was written.
func (e *engine) render(w http.ResponseWriter, status int, page string, l *i18n.Lang, data any) error {
	t, ok := e.pages[l.Name()][page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("rendering %s: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages can hold a manage token or a customer's details: never stored
	// by a browser or proxy cache.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) // a client gone away: nothing to do
	return nil
}
