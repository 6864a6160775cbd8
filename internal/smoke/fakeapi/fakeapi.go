// Package fakeapi is an in-process stand-in for a deployed environment, for the smoke and load
// tests: a Cognito-like token endpoint (client-credentials grant) and the products API as the
// gateway serves it (JWT check with per-route scopes, POST 201, DELETE 204), both on loopback.
// Faults plant one defect at a time.
package fakeapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The fake client's credentials and the scopes its resource server defines.
const (
	ClientID     = "fakeclientid"
	ClientSecret = "fake-client-secret-never-printed"
	ReadScope    = "phl-store/products.read"
	WriteScope   = "phl-store/products.write"
)

// Faults are defects to plant; route keys are the gateway's ("GET /products/{id}").
type Faults struct {
	Status       map[string]int           // route -> the status answered instead of the success status
	Drop         map[string]string        // route -> a field left out of the product(s) answered
	IDOffset     map[string]int64         // route -> added to the id answered
	Delay        map[string]time.Duration // route -> waited before answering
	RejectTokens bool                     // every token is expired: 401, as API Gateway's JWT authorizer answers
	GrantScopes  []string                 // not nil: the scopes tokens carry, whatever was asked
	GoneStatus   int                      // the answer for an unknown id (0: 404)
	KeepDeleted  bool                     // DELETE answers 204 but keeps the product

	// The load check's route, GET /products/{id}: its latency and whether it fails (500),
	// by the call's sequence number (from 0).
	ItemLatency func(n int64) time.Duration
	ItemFails   func(n int64) bool
}

// Server is the fake environment.
type Server struct {
	TokenURL, APIURL string

	mu       sync.Mutex
	faults   Faults
	tokens   map[string][]string // access token -> its scopes
	products map[int64]product
	nextID   int64
	counts   map[string]int
	itemSeq  atomic.Int64
}

type product struct {
	Name, Description string
	Price             float64
}

// Start runs the token endpoint and the API on loopback until the test ends.
func Start(t testing.TB, f Faults) *Server {
	s := &Server{faults: f, tokens: map[string][]string{}, products: map[int64]product{}, nextID: 1, counts: map[string]int{}}
	tokenMux := http.NewServeMux()
	tokenMux.HandleFunc("POST /oauth2/token", s.token)
	tok := httptest.NewServer(tokenMux)
	t.Cleanup(tok.Close)
	s.TokenURL = tok.URL + "/oauth2/token"

	apiMux := http.NewServeMux()
	for _, r := range []struct {
		key, scope string
		h          http.HandlerFunc
	}{
		{"GET /products", ReadScope, s.list},
		{"POST /products", WriteScope, s.create},
		{"GET /products/{id}", ReadScope, s.get},
		{"PUT /products/{id}", WriteScope, s.update},
		{"DELETE /products/{id}", WriteScope, s.delete},
	} {
		apiMux.Handle(r.key, s.authorize(r.key, r.scope, r.h))
	}
	api := httptest.NewServer(apiMux)
	t.Cleanup(api.Close)
	s.APIURL = api.URL
	return s
}

// SetFaults replaces the planted faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Count is how many requests route answered past the authorizer.
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// Products is how many products exist.
func (s *Server) Products() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.products)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	if !ok || id != ClientID || secret != ClientSecret {
		writeJSON(w, 400, map[string]string{"error": "invalid_client"})
		return
	}
	asked := strings.Fields(r.PostForm.Get("scope"))
	for _, sc := range asked {
		if sc != ReadScope && sc != WriteScope {
			writeJSON(w, 400, map[string]string{"error": "invalid_scope"})
			return
		}
	}
	if len(asked) == 0 {
		asked = []string{ReadScope, WriteScope} // Cognito grants all the client's scopes
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	s.mu.Lock()
	if s.faults.GrantScopes != nil {
		asked = s.faults.GrantScopes
	}
	s.tokens[token] = asked
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"access_token": token, "expires_in": 3600, "token_type": "Bearer"})
}

// authorize is the gateway's JWT authorizer: 401 without a valid token, 403 without the scope.
func (s *Server) authorize(route, scope string, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		scopes, known := s.tokens[token]
		f := s.faults
		if known && !f.RejectTokens && slices.Contains(scopes, scope) {
			s.counts[route]++
		}
		s.mu.Unlock()
		switch {
		case !known || f.RejectTokens:
			writeJSON(w, 401, map[string]string{"message": "Unauthorized"})
			return
		case !slices.Contains(scopes, scope):
			writeJSON(w, 403, map[string]string{"message": "Forbidden"})
			return
		}
		if d := f.Delay[route]; d > 0 && !sleep(r, d) {
			return
		}
		next(w, r)
	})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ids := make([]int64, 0, len(s.products))
	for id := range s.products {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = s.render("GET /products", id, s.products[id])
	}
	f := s.faults
	s.mu.Unlock()
	writeJSON(w, status(f, "GET /products", 200), out)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var p product
	if json.NewDecoder(r.Body).Decode(&p) != nil {
		writeJSON(w, 400, map[string]string{"error": "bad body"})
		return
	}
	s.mu.Lock()
	id := s.nextID
	s.nextID++
	s.products[id] = p
	out, f := s.render("POST /products", id, p), s.faults
	s.mu.Unlock()
	writeJSON(w, status(f, "POST /products", 201), out)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	const route = "GET /products/{id}"
	n := s.itemSeq.Add(1) - 1
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	if f.ItemLatency != nil && !sleep(r, f.ItemLatency(n)) {
		return
	}
	if f.ItemFails != nil && f.ItemFails(n) {
		writeJSON(w, 500, map[string]string{"error": "planted failure"})
		return
	}
	s.mu.Lock()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, ok := s.products[id]
	out := s.render(route, id, p)
	s.mu.Unlock()
	if !ok {
		gone := f.GoneStatus
		if gone == 0 {
			gone = 404
		}
		writeJSON(w, gone, map[string]string{"error": "not found"})
		return
	}
	writeJSON(w, status(f, route, 200), out)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	const route = "PUT /products/{id}"
	var p product
	if json.NewDecoder(r.Body).Decode(&p) != nil {
		writeJSON(w, 400, map[string]string{"error": "bad body"})
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	_, ok := s.products[id]
	if ok {
		s.products[id] = p
	}
	out, f := s.render(route, id, p), s.faults
	s.mu.Unlock()
	if !ok {
		writeJSON(w, 404, map[string]string{"error": "not found"})
		return
	}
	writeJSON(w, status(f, route, 200), out)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	const route = "DELETE /products/{id}"
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	_, ok := s.products[id]
	f := s.faults
	if !f.KeepDeleted {
		delete(s.products, id)
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, 404, map[string]string{"error": "not found"})
		return
	}
	w.WriteHeader(status(f, route, 204))
}

// render is a product as the app answers it, with the route's planted field and id faults.
// Callers hold s.mu.
func (s *Server) render(route string, id int64, p product) map[string]any {
	out := map[string]any{"id": id + s.faults.IDOffset[route], "name": p.Name, "description": p.Description, "price": p.Price}
	delete(out, s.faults.Drop[route])
	return out
}

func status(f Faults, route string, ok int) int {
	if st, planted := f.Status[route]; planted {
		return st
	}
	return ok
}

// sleep waits d unless the client goes away first; it says whether to answer.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
