package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"text/template/parse"

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
	// Each page is parsed with the layout and only the partials it and
	// the layout use (and those use in turn): parsing all 15 partials
	// into each of the 40 pages, in each language, held 28 MB of parse
	// trees, most of a fresh server's heap.
	defines, err := partialDefines(root, partials, funcs)
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" {
			continue
		}
		files := append([]string{"templates/layout.html"}, partialsFor(root, p, partials, defines, funcs)...)
		files = append(files, p)
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(root, files...)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// partialDefines maps each template name a partial defines to its file.
func partialDefines(root fs.FS, partials []string, funcs template.FuncMap) (map[string]string, error) {
	defines := map[string]string{}
	for _, f := range partials {
		t, err := template.New(path.Base(f)).Funcs(funcs).ParseFS(root, f)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", f, err)
		}
		for _, d := range t.Templates() {
			if d.Name() != path.Base(f) {
				defines[d.Name()] = f
			}
		}
	}
	return defines, nil
}

// partialsFor lists the partial files page and the layout use, directly
// or through another partial, in the order of partials. A file that does
// not parse on its own is left for the whole page's parse to report.
func partialsFor(root fs.FS, page string, partials []string, defines map[string]string, funcs template.FuncMap) []string {
	need := map[string]bool{}
	todo := []string{"templates/layout.html", page}
	seen := map[string]bool{}
	for len(todo) > 0 {
		f := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[f] {
			continue
		}
		seen[f] = true
		t, err := template.New(path.Base(f)).Funcs(funcs).ParseFS(root, f)
		if err != nil {
			return partials
		}
		for _, d := range t.Templates() {
			if d.Tree == nil {
				continue
			}
			for _, ref := range templateRefs(d.Tree.Root, nil) {
				if pf, ok := defines[ref]; ok && !need[pf] {
					need[pf] = true
					todo = append(todo, pf)
				}
			}
		}
	}
	var out []string
	for _, f := range partials {
		if need[f] {
			out = append(out, f)
		}
	}
	return out
}

// templateRefs appends the names of the templates n calls ({{template}},
// {{block}}) to refs.
func templateRefs(n parse.Node, refs []string) []string {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				refs = templateRefs(c, refs)
			}
		}
	case *parse.TemplateNode:
		refs = append(refs, n.Name)
	case *parse.IfNode:
		refs = templateRefs(n.List, templateRefs(n.ElseList, refs))
	case *parse.RangeNode:
		refs = templateRefs(n.List, templateRefs(n.ElseList, refs))
	case *parse.WithNode:
		refs = templateRefs(n.List, templateRefs(n.ElseList, refs))
	}
	return refs
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
