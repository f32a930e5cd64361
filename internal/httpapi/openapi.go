package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/gorilla/mux"
	"go.yaml.in/yaml/v3"

	atelier "github.com/atelier-app/atelier"
)

// registerOpenAPIRoute adds GET /api/v1/openapi.json: docs/openapi.yaml
// (embedded in the binary) as JSON.
func (s *Server) registerOpenAPIRoute(r *mux.Router) {
	r.Handle(prefix+"/openapi.json", s.handle(s.handleOpenAPI)).Methods(http.MethodGet, http.MethodHead)
}

// openAPIJSON returns the OpenAPI document as JSON, converted from the
// embedded YAML the first time it is asked for (New asks at start) and
// kept for the life of the process.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) { return yamlToJSON(atelier.OpenAPI) })

func (s *Server) handleOpenAPI(w http.ResponseWriter, _ *http.Request) error {
	doc, err := openAPIJSON()
	if err != nil {
		return fmt.Errorf("openapi document: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(doc)
	return nil
}

// yamlToJSON converts a YAML document to compact JSON, keeping the order
// of mapping keys (a reader of the JSON finds the paths in the document's
// order). Mapping keys are always JSON strings (a status code 200 written
// unquoted stays "200"), a timestamp-looking scalar stays the string it
// was written as, and aliases are expanded. A value JSON cannot hold (a
// non-scalar key, .inf, .nan) is an error.
func yamlToJSON(src []byte) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := nodeJSON(&buf, &root, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxYAMLDepth bounds the nesting (and alias expansion) of yamlToJSON.
const maxYAMLDepth = 100

func nodeJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > maxYAMLDepth {
		return fmt.Errorf("line %d: nested more than %d levels deep", n.Line, maxYAMLDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: a document holds one value", n.Line)
		}
		return nodeJSON(buf, n.Content[0], depth+1)
	case yaml.AliasNode:
		return nodeJSON(buf, n.Alias, depth+1)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: a mapping key must be a scalar", k.Line)
			}
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			buf.Write(key)
			buf.WriteByte(':')
			if err := nodeJSON(buf, v, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, v := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := nodeJSON(buf, v, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		var v any = n.Value
		if tag := n.ShortTag(); tag != "!!str" && tag != "!!timestamp" {
			if err := n.Decode(&v); err != nil {
				return fmt.Errorf("line %d: %w", n.Line, err)
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		buf.Write(b)
		return nil
	}
	return fmt.Errorf("line %d: unexpected YAML node", n.Line)
}
