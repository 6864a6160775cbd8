package smoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// API calls the public products API (the gateway's api_url) with tokens from Tokens.
type API struct {
	BaseURL string
	HTTP    *http.Client
	Tokens  *TokenSource
	Timeout time.Duration // per request; 0: none beyond the context's
}

// Response is one answered request.
type Response struct {
	Status  int
	Body    []byte
	Latency time.Duration
}

// Do sends one request; body, when not nil, is sent as JSON. An error means no HTTP answer
// (token, transport, timeout), not an unexpected status.
func (a *API) Do(ctx context.Context, method, path string, body any) (Response, error) {
	if a.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.Timeout)
		defer cancel()
	}
	token, err := a.Tokens.Token(ctx)
	if err != nil {
		return Response{}, err
	}
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Response{}, err
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.BaseURL, "/")+path, in)
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := a.HTTP.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && a.Timeout > 0 {
			return Response{Latency: time.Since(start)}, fmt.Errorf("no answer within %s", a.Timeout)
		}
		return Response{Latency: time.Since(start)}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	r := Response{Status: resp.StatusCode, Body: b, Latency: time.Since(start)}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && a.Timeout > 0 {
			return r, fmt.Errorf("body not complete within %s", a.Timeout)
		}
		return r, fmt.Errorf("reading the body: %v", err)
	}
	return r, nil
}

// Product is the app's product (/work/shared/reference/phl-store-app.md, "HTTP API").
type Product struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Price       float64 `json:"price"`
}

// NewProduct is a product to create or an update to send: everything but the id.
type NewProduct struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Price       float64 `json:"price"`
}

// ParseProduct reads one product and checks its shape: all four fields present, id an
// integer, name and description strings, price a number.
func ParseProduct(body []byte) (Product, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return Product{}, fmt.Errorf("body is not a JSON object: %s", snippet(body))
	}
	return productFromRaw(raw)
}

func productFromRaw(raw map[string]json.RawMessage) (Product, error) {
	var p Product
	fields := []struct {
		name, kind string
		into       any
	}{{"id", "an integer", &p.ID}, {"name", "a string", &p.Name}, {"description", "a string", &p.Description}, {"price", "a number", &p.Price}}
	var problems []string
	for _, f := range fields {
		v, ok := raw[f.name]
		if !ok {
			problems = append(problems, "missing field "+f.name)
			continue
		}
		if string(v) == "null" || json.Unmarshal(v, f.into) != nil {
			problems = append(problems, fmt.Sprintf("field %s is %s, want %s", f.name, v, f.kind))
		}
	}
	if len(problems) > 0 {
		return p, errors.New(strings.Join(problems, "; "))
	}
	return p, nil
}

// ParseProducts reads the list: a JSON array of products.
func ParseProducts(body []byte) ([]Product, error) {
	var raws []map[string]json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil || raws == nil {
		return nil, fmt.Errorf("body is not a JSON array of objects: %s", snippet(body))
	}
	out := make([]Product, len(raws))
	for i, raw := range raws {
		p, err := productFromRaw(raw)
		if err != nil {
			return nil, fmt.Errorf("element %d: %v", i, err)
		}
		out[i] = p
	}
	return out, nil
}

// snippet is the start of a body, for a message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "(empty)"
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
