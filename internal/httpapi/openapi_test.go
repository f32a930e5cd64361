package httpapi_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	atelier "github.com/atelier-app/atelier"
	"github.com/atelier-app/atelier/internal/httpapi"
	"github.com/atelier-app/atelier/internal/httpx"
)

// TestOpenAPIDocumentServed: GET /api/v1/openapi.json is the YAML file as
// JSON, a valid OpenAPI 3.1 document, with its paths in the file's order.
func TestOpenAPIDocumentServed(t *testing.T) {
	e := MustOpenEnv(t, httpx.Config{})
	r := e.Do(t, http.MethodGet, "/api/v1/openapi.json", nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("openapi.json: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	var got any
	r.JSON(t, &got)
	// The same document decoded another way: YAML to Go values to JSON.
	var fromYAML any
	if err := yaml.Unmarshal(atelier.OpenAPI, &fromYAML); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("openapi.json differs from docs/openapi.yaml")
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("load the served document: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil || doc.OpenAPI != "3.1.0" {
		t.Errorf("served document: OpenAPI %q, %v", doc.OpenAPI, err)
	}
	if paths := doc.Paths.InMatchingOrder(); len(paths) < 30 {
		t.Errorf("served document has %d paths", len(paths))
	}
	if i, j := strings.Index(string(r.Body), `"/healthz"`), strings.Index(string(r.Body), `"/api/v1/atelier"`); i < 0 || j < i {
		t.Errorf("paths out of the file's order (/healthz at %d, /api/v1/atelier at %d)", i, j)
	}
	if h := e.Do(t, http.MethodHead, "/api/v1/openapi.json", nil); h.Status != http.StatusOK || len(h.Body) != 0 {
		t.Errorf("HEAD openapi.json: %d, %d bytes", h.Status, len(h.Body))
	}
}

func TestYAMLToJSON(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"StatusKeys", "responses:\n  200: {description: ok}\n  '404': {description: no}\n", `{"responses":{"200":{"description":"ok"},"404":{"description":"no"}}}`},
		{"KeyOrder", "b: 1\na: 2\nc: 3\n", `{"b":1,"a":2,"c":3}`},
		{"Scalars", "s: text\nq: '1'\ni: 42\nf: 1.5\nt: true\nn: null\ne: ~\n", `{"s":"text","q":"1","i":42,"f":1.5,"t":true,"n":null,"e":null}`},
		{"DateStaysText", "example: 2026-12-25\n", `{"example":"2026-12-25"}`},
		{"Alias", "a: &x [1, two]\nb: *x\n", `{"a":[1,"two"],"b":[1,"two"]}`},
		{"Block", "d: |\n  line one\n  line two\n", `{"d":"line one\nline two\n"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := httpapi.YAMLToJSON([]byte(tt.yaml))
			if err != nil || string(got) != tt.want {
				t.Errorf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
	for name, bad := range map[string]string{
		"Infinity":   "x: .inf\n",
		"MappingKey": "? [a, b]\n: 1\n",
		"NotYAML":    "a: [1,\n",
	} {
		t.Run(name, func(t *testing.T) {
			if got, err := httpapi.YAMLToJSON([]byte(bad)); err == nil {
				t.Errorf("%q: got %s, want an error", bad, got)
			}
		})
	}
}
