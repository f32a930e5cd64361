// Package atelier holds the files embedded in the binary: the database
// schema, the demo configuration, the OpenAPI document and the web
// assets. The code lives under internal/ and cmd/.
package atelier

import (
	"embed"
	_ "embed"
)

// Schema is the whole current schema for a new database.
//
//go:embed schema.sql
var Schema string

// ExampleConfig is the demo configuration, used when no config.yaml exists.
//
//go:embed config.example.yaml
var ExampleConfig []byte

// OpenAPI is docs/openapi.yaml, the OpenAPI 3.1 document of the whole API
// (served as JSON at GET /api/v1/openapi.json, checked against the
// server's answers by the tests of internal/httpapi).
//
//go:embed docs/openapi.yaml
var OpenAPI []byte

// Web holds templates/ and static/ under web/.
//
//go:embed web
var Web embed.FS
