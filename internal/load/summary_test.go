package load

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var sorted []time.Duration
	for i := 1; i <= 200; i++ {
		sorted = append(sorted, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 100 * time.Millisecond, 95: 190 * time.Millisecond, 99: 198 * time.Millisecond, 100: 200 * time.Millisecond, 0.1: time.Millisecond} {
		if got := Percentile(sorted, p); got != want {
			t.Errorf("p%v = %s, want %s", p, got, want)
		}
	}
	// Ranks that are not whole round up: of 10, p95 is the 10th and p50 the 5th.
	ten := sorted[:10]
	if Percentile(ten, 95) != 10*time.Millisecond || Percentile(ten, 50) != 5*time.Millisecond || Percentile(ten, 99.9) != 10*time.Millisecond {
		t.Errorf("of 10: p95 %s, p50 %s", Percentile(ten, 95), Percentile(ten, 50))
	}
	if Percentile(nil, 95) != 0 {
		t.Error("empty")
	}
}

// samples are n requests, one every 10 ms, with latency(i) and a failure where failed(i).
func samples(n int, latency func(int) time.Duration, failed func(int) bool) []Sample {
	out := make([]Sample, n)
	for i := range out {
		out[i] = Sample{Start: time.Duration(i) * 10 * time.Millisecond, Latency: latency(i), Status: 200}
		if failed(i) {
			out[i].Status, out[i].Error = 500, "500 Internal Server Error"
		}
	}
	return out
}

func TestSummarizeThresholdsAreStrict(t *testing.T) {
	cfg := Config{Rate: 100, Duration: time.Second, MaxP95: 95 * time.Millisecond, MaxErrorRate: 0.02}
	// Latencies 1..100 ms: p95 is exactly the limit, which fails ("p95 < 500 ms").
	s := Summarize(samples(100, func(i int) time.Duration { return time.Duration(i+1) * time.Millisecond }, func(i int) bool { return i < 2 }), cfg)
	if s.LatencyMS.P95 != 95 || s.LatencyMS.P50 != 50 || s.LatencyMS.P99 != 99 || s.LatencyMS.Max != 100 {
		t.Errorf("latencies %+v", s.LatencyMS)
	}
	if s.Rate != 100 || s.Requests != 100 || s.Errors != 2 || s.ErrorRate != 0.02 || s.StatusCodes["500"] != 2 || s.StatusCodes["200"] != 98 {
		t.Errorf("summary %+v", s)
	}
	if s.Pass || s.Thresholds[0].Pass || s.Thresholds[1].Pass {
		t.Errorf("values equal to their limits pass: %+v", s.Thresholds)
	}
	if got := s.Thresholds[0].String(); got != "FAIL p95_ms 95 < 95" {
		t.Errorf("threshold line %q", got)
	}
	cfg.MaxP95, cfg.MaxErrorRate = 96*time.Millisecond, 0.021
	if s := Summarize(samples(100, func(i int) time.Duration { return time.Duration(i+1) * time.Millisecond }, func(i int) bool { return i < 2 }), cfg); !s.Pass {
		t.Errorf("values below their limits fail: %+v", s.Thresholds)
	}
	if s := Summarize(nil, cfg); s.Pass {
		t.Error("a run without requests passes")
	}
}

func TestBuckets(t *testing.T) {
	b := Buckets(samples(250, func(i int) time.Duration { return time.Duration(i%100+1) * time.Millisecond }, func(i int) bool { return i >= 200 && i%5 == 0 }), time.Second)
	if len(b) != 3 || b[0].Requests != 100 || b[2].Requests != 50 || b[2].Errors != 10 || b[1].Errors != 0 {
		t.Fatalf("buckets %+v", b)
	}
	if b[0].P50 != 50*time.Millisecond || b[0].P95 != 95*time.Millisecond || b[0].P99 != 99*time.Millisecond {
		t.Errorf("first bucket %+v", b[0])
	}
	if BucketWidth(2*time.Minute) != time.Second || BucketWidth(2*time.Second) != 100*time.Millisecond {
		t.Errorf("widths %s %s", BucketWidth(2*time.Minute), BucketWidth(2*time.Second))
	}
}

// The chart is well-formed SVG with one point per slice in each series, one bar per slice
// with errors, both limits and the verdict.
func TestWriteSVG(t *testing.T) {
	cfg := Config{Rate: 100, Duration: 2 * time.Second, MaxP95: 500 * time.Millisecond, MaxErrorRate: 0.01}
	smp := samples(200, func(i int) time.Duration { return time.Duration(i+1) * time.Millisecond }, func(i int) bool { return i == 42 || i >= 150 && i < 160 })
	s := Summarize(smp, cfg)
	s.Cleanup = `deleting product 1 after the load: status 500, want 204: <html>"&"</html>`
	var out bytes.Buffer
	if err := WriteSVG(&out, smp, s, cfg); err != nil {
		t.Fatal(err)
	}
	type element struct {
		name  string
		attrs map[string]string
		text  string
	}
	var elems []element
	dec := xml.NewDecoder(bytes.NewReader(out.Bytes()))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, out.String())
		}
		switch v := tok.(type) {
		case xml.StartElement:
			e := element{name: v.Name.Local, attrs: map[string]string{}}
			for _, a := range v.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			elems = append(elems, e)
		case xml.CharData:
			if len(elems) > 0 {
				elems[len(elems)-1].text += string(v)
			}
		}
	}
	if elems[0].name != "svg" {
		t.Fatalf("root %s", elems[0].name)
	}
	series, bars := map[string]int{}, 0
	var texts []string
	for _, e := range elems {
		switch {
		case e.name == "polyline":
			series[e.attrs["class"]] = len(strings.Fields(e.attrs["points"]))
		case e.name == "rect" && e.attrs["class"] == "errors":
			bars++
		case e.name == "text":
			texts = append(texts, e.text)
		}
	}
	// 2 s in slices of 100 ms: 20 points per series; errors in request 42 and 150-159: two slices.
	for _, name := range []string{"p50", "p95", "p99"} {
		if series[name] != 20 {
			t.Errorf("series %s has %d points, want 20", name, series[name])
		}
	}
	all := strings.Join(texts, "\n")
	if bars != 2 || !strings.Contains(all, s.Cleanup) || !strings.Contains(all, "p95 limit 500 ms") || !strings.Contains(all, "error limit 1%") || !strings.Contains(all, "FAIL") {
		t.Errorf("%d error bars; texts:\n%s", bars, all)
	}
}
