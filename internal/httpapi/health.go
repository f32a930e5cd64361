package httpapi

import (
	"context"
	"sync"
)

// HealthFunc reports one part of GET /healthz: the JSON value of its
// member, and whether that part is degraded, which makes the whole answer
// "status": "degraded" (still 200: only a database that does not answer
// is 503). It must be cheap: /healthz is polled.
type HealthFunc func(ctx context.Context) (value any, degraded bool)

type healthPart struct {
	name string
	fn   HealthFunc
}

// healthParts are the parts added with AddHealth.
type healthParts struct {
	mu    sync.Mutex
	parts []healthPart
}

// AddHealth adds the member name to /healthz, computed by fn at each
// request (e.g. "backups").
func (s *Server) AddHealth(name string, fn HealthFunc) {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	s.health.parts = append(s.health.parts, healthPart{name, fn})
}

// addHealthParts fills body with the added parts.
func (s *Server) addHealthParts(ctx context.Context, body map[string]any) {
	s.health.mu.Lock()
	parts := s.health.parts
	s.health.mu.Unlock()
	for _, p := range parts {
		v, degraded := p.fn(ctx)
		body[p.name] = v
		if degraded {
			body["status"] = "degraded"
		}
	}
}
