package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
)

// staticPrefix starts the URL of every asset.
const staticPrefix = "/static/"

// asset is one embedded file, served under a name that carries a hash of
// its content ("app.3f2a9c1b7d.css"), so it can be cached for a year and a
// new build is fetched at once.
type asset struct {
	body        []byte
	contentType string
}

// assets holds the files of static/, by hashed name.
type assets struct {
	mu       sync.Mutex // held by add, while pictures are resized in parallel at start
	byHashed map[string]asset
	url      map[string]string // plain name -> /static/hashed name
	modTime  time.Time
}

// contentTypes are the types of the extensions Go's mime package may not
// know on a bare machine (it reads /etc/mime.types when there is one).
var contentTypes = map[string]string{
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
}

// cssURL finds the url("...") references of a style sheet.
var cssURL = regexp.MustCompile(`url\("([^"]+)"\)`)

// loadAssets reads and hashes every file under static/ in root. Style
// sheets are hashed last, after each url("fonts/x.woff2") in them is
// replaced by the hashed URL of that file, so that a new font gives the
// style sheet a new name too; a reference to a missing file is an error.
func loadAssets(root fs.FS) (*assets, error) {
	as := &assets{byHashed: map[string]asset{}, url: map[string]string{}}
	var sheets []string
	err := fs.WalkDir(root, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if path.Ext(p) == ".css" {
			sheets = append(sheets, p)
			return nil
		}
		body, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		as.add(strings.TrimPrefix(p, "static/"), body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading web/static: %w", err)
	}
	for _, p := range sheets {
		body, err := fs.ReadFile(root, p)
		if err != nil {
			return nil, fmt.Errorf("reading web/static: %w", err)
		}
		var missing error
		dir := path.Dir(strings.TrimPrefix(p, "static/"))
		body = cssURL.ReplaceAllFunc(body, func(m []byte) []byte {
			ref := string(cssURL.FindSubmatch(m)[1])
			if strings.Contains(ref, ":") || strings.HasPrefix(ref, "/") {
				return m // data: or absolute: left as written
			}
			u, err := as.URL(path.Join(dir, ref))
			if err != nil {
				missing = fmt.Errorf("%s: %w", p, err)
				return m
			}
			return []byte(`url("` + u + `")`)
		})
		if missing != nil {
			return nil, missing
		}
		as.add(strings.TrimPrefix(p, "static/"), body)
	}
	return as, nil
}

// add stores body as the static file name, under its hashed name.
func (as *assets) add(name string, body []byte) {
	as.mu.Lock()
	defer as.mu.Unlock()
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
	ct := contentTypes[ext]
	if ct == "" {
		ct = mime.TypeByExtension(ext)
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	as.byHashed[hashed] = asset{body: body, contentType: ct}
	as.url[name] = staticPrefix + hashed
}

// URL returns the hashed URL of static file name ("app.css"), or an error
// when there is no such file, so a template naming a missing asset fails
// at start-up rather than in a user's browser.
func (as *assets) URL(name string) (string, error) {
	as.mu.Lock()
	u, ok := as.url[name]
	as.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return u, nil
}

// ServeHTTP serves an asset by hashed name with long cache headers.
func (as *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := as.byHashed[strings.TrimPrefix(r.URL.Path, staticPrefix)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", as.modTime, bytes.NewReader(a.body))
}
