package awsfake

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Call is one request the fake answered: the IAM action it needs, the resource it reads ("*"
// for actions without resource-level permissions), and the region it was signed for.
type Call struct {
	Action, Resource, Region string
}

// Server is the fake endpoint.
type Server struct {
	*httptest.Server
	mu      sync.Mutex
	account *Account
	calls   []Call
}

// New starts a fake answering from a (the test may keep changing a: calls lock it).
func New(a *Account) *Server {
	s := &Server{account: a}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Config is an aws.Config whose clients all call the fake, with static credentials and no
// retries.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIAFAKEFAKEFAKEFAKE", "fake-secret", ""),
		BaseEndpoint:     aws.String(s.URL),
		HTTPClient:       s.Client(),
		RetryMaxAttempts: 1,
	}
}

// Calls returns the calls answered so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Account runs f with the account locked, to change it while the server runs.
func (s *Server) Account(f func(a *Account)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.account)
}

var scopePattern = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/([^/]+)/aws4_request`)

// request is one call being answered.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	a       *Account
	region  string
	service string
	s       *Server
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	m := scopePattern.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		http.Error(w, "unsigned request", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := &request{w: w, r: r, a: s.account, region: m[1], service: m[2], s: s}
	switch q.service {
	case "sts", "iam", "rds":
		q.query()
	case "ec2":
		q.ec2()
	case "eks":
		q.eks()
	case "acm", "cognito-idp", "servicequotas", "ssm":
		q.json()
	case "route53":
		q.route53()
	case "s3":
		q.s3()
	default:
		http.Error(w, "service "+q.service+" is not faked", http.StatusNotImplemented)
	}
}

// record notes the call and tells whether the account denies it.
func (q *request) record(action, resource string) (denied bool) {
	q.s.calls = append(q.s.calls, Call{Action: action, Resource: resource, Region: q.region})
	return q.a.Deny[action] || q.a.Deny[action+"@"+q.region]
}

// x is XML text escaping.
func x(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// el is an XML element with already-encoded content.
func el(name, inner string) string { return "<" + name + ">" + inner + "</" + name + ">" }

// tx is an XML element with text.
func tx(name, text string) string { return el(name, x(text)) }

func sortedTags(tags map[string]string) []string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (q *request) writeXML(status int, body string) {
	q.w.Header().Set("Content-Type", "text/xml")
	q.w.WriteHeader(status)
	fmt.Fprint(q.w, `<?xml version="1.0" encoding="UTF-8"?>`+body)
}
