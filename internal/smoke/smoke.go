// Package smoke checks a deployed environment's public contract end to end: a client-credentials
// token from Cognito, then create → list → get → update → delete → get again through the
// gateway, each status and body checked against the app's contract with the gateway's remaps
// (POST 201, DELETE 204). The load check (internal/load) reuses its token source and client.
package smoke

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ResourceServer and the scopes are the gateway's (constructs/gateway/cognito.go; a test keeps
// them equal): GET routes need read, the others write.
const (
	ResourceServer = "phl-store"
	ReadScope      = ResourceServer + "/products.read"
	WriteScope     = ResourceServer + "/products.write"
	DefaultScope   = ReadScope + " " + WriteScope
)

// Route is one public route and the status the gateway answers on success.
type Route struct {
	Method, Path, Scope string
	Status              int
}

// The routes the smoke test calls ({id} is the created product's); the statuses are the
// gateway's remaps of the app's 200 (constructs/gateway/api.go; a test keeps them equal).
var (
	Create = Route{"POST", "/products", WriteScope, 201}
	List   = Route{"GET", "/products", ReadScope, 200}
	Get    = Route{"GET", "/products/{id}", ReadScope, 200}
	Update = Route{"PUT", "/products/{id}", WriteScope, 200}
	Delete = Route{"DELETE", "/products/{id}", WriteScope, 204}
)

// Key is the route as the gateway names it: "GET /products/{id}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// PathFor is the route's path for product id.
func (r Route) PathFor(id int64) string {
	return strings.Replace(r.Path, "{id}", fmt.Sprint(id), 1)
}

// Options tune a run.
type Options struct {
	// GoneStatuses are the statuses accepted for a get after delete. The contract does not say
	// what the app answers for an unknown id; 404 is the default, and a 200 is never accepted.
	GoneStatuses []int
	// GoneAny4xx accepts any client error (4xx) for a get after delete instead (make deploy's
	// check: the contract promises no status, and a first deploy should not fail on one).
	GoneAny4xx bool
	// Name prefixes the created product's name, so a leftover is recognisable.
	Name string
}

// DefaultGoneStatuses is Options.GoneStatuses when none are given.
var DefaultGoneStatuses = []int{404}

// Step is one request of the run and what was wrong with it.
type Step struct {
	Name     string
	Method   string
	Path     string
	Status   int // 0: no answer
	Latency  time.Duration
	Problems []string
	Skipped  string // why the step did not run
}

// OK says the step ran and found nothing wrong.
func (s Step) OK() bool { return s.Skipped == "" && len(s.Problems) == 0 }

// String is the report line: `PASS create   POST /products       201   84ms`.
func (s Step) String() string {
	verdict := "PASS"
	switch {
	case s.Skipped != "":
		return fmt.Sprintf("SKIP %-17s %-6s %-22s skipped: %s", s.Name, s.Method, s.Path, s.Skipped)
	case len(s.Problems) > 0:
		verdict = "FAIL"
	}
	status := "---"
	if s.Status != 0 {
		status = fmt.Sprint(s.Status)
	}
	line := fmt.Sprintf("%s %-17s %-6s %-22s %s %8.1f ms", verdict, s.Name, s.Method, s.Path, status, float64(s.Latency)/float64(time.Millisecond))
	if len(s.Problems) > 0 {
		line += "  " + strings.Join(s.Problems, "; ")
	}
	return line
}

// Report is a whole run.
type Report struct {
	Steps []Step
}

// OK says every step ran and passed.
func (r Report) OK() bool {
	for _, s := range r.Steps {
		if !s.OK() {
			return false
		}
	}
	return len(r.Steps) > 0
}

// Write prints one line per step and a summary line.
func (r Report) Write(w io.Writer) {
	failed, total := 0, len(r.Steps)
	for _, s := range r.Steps {
		fmt.Fprintln(w, s)
		if !s.OK() {
			failed++
		}
	}
	verdict := "PASS"
	if !r.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "smoke %s: %d of %d steps passed\n", verdict, total-failed, total)
}

// Run performs the contract once. A product it created is deleted even when a step between
// failed (a "cleanup" step then reports that delete).
func Run(ctx context.Context, api *API, opts Options) Report {
	if len(opts.GoneStatuses) == 0 {
		opts.GoneStatuses = DefaultGoneStatuses
	}
	if opts.Name == "" {
		opts.Name = "smoke"
	}
	r := &runner{ctx: ctx, api: api, opts: opts}
	r.run()
	return Report{Steps: r.steps}
}

type runner struct {
	ctx   context.Context
	api   *API
	opts  Options
	steps []Step
}

func (r *runner) run() {
	if !r.token() {
		r.skipFrom(0, "no token")
		return
	}
	sent := NewProduct{Name: fmt.Sprintf("%s-%d", r.opts.Name, time.Now().UnixNano()), Description: "created by the smoke check", Price: 12.34}
	created, ok := r.create(sent)
	if !ok {
		return
	}
	id := created.ID
	r.list(id)
	r.get(created)
	r.update(id, NewProduct{Name: sent.Name + "-updated", Description: "updated by the smoke check", Price: 43.21})
	if !r.remove("delete", id) {
		r.skipAfter("delete", "the delete failed")
		return
	}
	r.getAfterDelete(id)
}

// planStep is one step of the run and its route.
type planStep struct {
	name  string
	route Route
}

// plan is the run's steps in order.
var plan = []planStep{{"create", Create}, {"list", List}, {"get", Get}, {"update", Update}, {"delete", Delete}, {"get-after-delete", Get}}

// skipAfter records the steps after the named one as not run, for reason.
func (r *runner) skipAfter(name, reason string) {
	r.skipFrom(slices.IndexFunc(plan, func(p planStep) bool { return p.name == name })+1, reason)
}

func (r *runner) skipFrom(i int, reason string) {
	for _, p := range plan[i:] {
		r.steps = append(r.steps, Step{Name: p.name, Method: p.route.Method, Path: p.route.Path, Skipped: reason})
	}
}

// token is the first step: a token from the token endpoint, timed on its own so that the
// create's latency does not include it.
func (r *runner) token() bool {
	step := Step{Name: "token", Method: http.MethodPost, Path: tokenPath(r.api.Tokens.creds.TokenURL)}
	ctx := r.ctx
	if r.api.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.api.Timeout)
		defer cancel()
	}
	start := time.Now()
	_, err := r.api.Tokens.Token(ctx)
	step.Latency = time.Since(start)
	if err != nil {
		step.Problems = []string{err.Error()}
	} else {
		step.Status = http.StatusOK
	}
	r.steps = append(r.steps, step)
	return err == nil
}

func tokenPath(tokenURL string) string {
	if u, err := url.Parse(tokenURL); err == nil && u.Path != "" {
		return u.Path
	}
	return tokenURL
}

// call performs one route and checks its status; check, when the status is right, checks the body.
func (r *runner) call(name string, route Route, id int64, body any, check func(Response) []string) (Step, Response) {
	path := route.Path
	if strings.Contains(path, "{id}") {
		path = route.PathFor(id)
	}
	step := Step{Name: name, Method: route.Method, Path: path}
	resp, err := r.api.Do(r.ctx, route.Method, path, body)
	step.Status, step.Latency = resp.Status, resp.Latency
	switch {
	case err != nil:
		step.Problems = append(step.Problems, err.Error())
	case resp.Status != route.Status:
		step.Problems = append(step.Problems, statusProblem(route, resp, route.Status))
	case check != nil:
		step.Problems = append(step.Problems, check(resp)...)
	}
	r.steps = append(r.steps, step)
	return step, resp
}

// statusProblem names an unexpected status, with the likely cause of the gateway's own 401/403.
func statusProblem(route Route, resp Response, want ...int) string {
	s := fmt.Sprintf("status %d, want %s", resp.Status, joinInts(want))
	switch resp.Status {
	case 401:
		s += " (the gateway rejected the token: expired, or not from the pool's issuer and client)"
	case 403:
		s += fmt.Sprintf(" (the token lacks the route's scope %s)", route.Scope)
	default:
		s += ": " + snippet(resp.Body)
	}
	return s
}

func (r *runner) create(sent NewProduct) (Product, bool) {
	var p Product
	step, resp := r.call("create", Create, 0, sent, func(resp Response) []string {
		var err error
		if p, err = ParseProduct(resp.Body); err != nil {
			return []string{err.Error()}
		}
		return sameContent(p, sent)
	})
	if step.OK() {
		return p, true
	}
	reason := "the create failed"
	// A product the answer names, whatever its status or other faults, is still removed.
	if created, err := ParseProduct(resp.Body); err == nil && created.ID != 0 {
		r.remove("cleanup", created.ID)
		reason += " (cleanup removed its product)"
	}
	r.skipAfter("create", reason)
	return p, false
}

func (r *runner) list(id int64) {
	r.call("list", List, 0, nil, func(resp Response) []string {
		products, err := ParseProducts(resp.Body)
		if err != nil {
			return []string{err.Error()}
		}
		if !slices.ContainsFunc(products, func(p Product) bool { return p.ID == id }) {
			return []string{fmt.Sprintf("the created product %d is not in the list of %d", id, len(products))}
		}
		return nil
	})
}

func (r *runner) get(created Product) {
	r.call("get", Get, created.ID, nil, func(resp Response) []string {
		p, err := ParseProduct(resp.Body)
		if err != nil {
			return []string{err.Error()}
		}
		if p.ID != created.ID {
			return []string{fmt.Sprintf("id %d, want %d (the created product's)", p.ID, created.ID)}
		}
		return sameContent(p, NewProduct{created.Name, created.Description, created.Price})
	})
}

func (r *runner) update(id int64, sent NewProduct) {
	r.call("update", Update, id, sent, func(resp Response) []string {
		p, err := ParseProduct(resp.Body)
		if err != nil {
			return []string{err.Error()}
		}
		var problems []string
		if p.ID != id {
			problems = append(problems, fmt.Sprintf("id %d, want %d (ids are stable across updates)", p.ID, id))
		}
		// The contract's update sends name and price; those must come back.
		if p.Name != sent.Name {
			problems = append(problems, fmt.Sprintf("name %q, want %q", p.Name, sent.Name))
		}
		if !samePrice(p.Price, sent.Price) {
			problems = append(problems, fmt.Sprintf("price %v, want %v", p.Price, sent.Price))
		}
		return problems
	})
}

// remove deletes id; the gateway answers 204 and its body is not checked.
func (r *runner) remove(name string, id int64) bool {
	step, _ := r.call(name, Delete, id, nil, nil)
	return step.OK()
}

func (r *runner) getAfterDelete(id int64) {
	path := Get.PathFor(id)
	step := Step{Name: "get-after-delete", Method: Get.Method, Path: path}
	resp, err := r.api.Do(r.ctx, Get.Method, path, nil)
	step.Status, step.Latency = resp.Status, resp.Latency
	switch {
	case err != nil:
		step.Problems = append(step.Problems, err.Error())
	case resp.Status == 200:
		step.Problems = append(step.Problems, fmt.Sprintf("status 200: product %d is still there after its delete: %s", id, snippet(resp.Body)))
	case r.opts.GoneAny4xx && (resp.Status < 400 || resp.Status > 499):
		step.Problems = append(step.Problems, fmt.Sprintf("status %d, want a client error (4xx) for a deleted product: %s", resp.Status, snippet(resp.Body)))
	case !r.opts.GoneAny4xx && !slices.Contains(r.opts.GoneStatuses, resp.Status):
		step.Problems = append(step.Problems, statusProblem(Get, resp, r.opts.GoneStatuses...))
	}
	r.steps = append(r.steps, step)
}

// sameContent compares what came back with what was sent.
func sameContent(p Product, want NewProduct) []string {
	var problems []string
	if p.Name != want.Name {
		problems = append(problems, fmt.Sprintf("name %q, want %q", p.Name, want.Name))
	}
	if p.Description != want.Description {
		problems = append(problems, fmt.Sprintf("description %q, want %q", p.Description, want.Description))
	}
	if !samePrice(p.Price, want.Price) {
		problems = append(problems, fmt.Sprintf("price %v, want %v", p.Price, want.Price))
	}
	return problems
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, " or ")
}

// samePrice compares prices to the cent: the app's storage type for prices is not known.
func samePrice(a, b float64) bool { return math.Abs(a-b) < 0.005 }
