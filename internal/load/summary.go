package load

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Summary is the run's JSON summary.
type Summary struct {
	Route        string         `json:"route"`
	TargetRate   int            `json:"target_rate"` // requests per second asked for
	DurationS    float64        `json:"duration_s"`
	Requests     int            `json:"requests"`
	Rate         float64        `json:"rate"` // requests per second started
	LatencyMS    Latencies      `json:"latency_ms"`
	Errors       int            `json:"errors"`
	ErrorRate    float64        `json:"error_rate"` // fraction of requests without a 200
	StatusCodes  map[string]int `json:"status_codes"`
	ErrorSamples []string       `json:"error_samples,omitempty"` // distinct errors, the first few
	Thresholds   []Threshold    `json:"thresholds"`
	Cleanup      string         `json:"cleanup_error,omitempty"`
	Pass         bool           `json:"pass"`
}

// Latencies are exact (nearest-rank) percentiles of every request, errors included, in ms.
type Latencies struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Threshold is one pass/fail criterion: Value must be below Limit.
type Threshold struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	Pass  bool    `json:"pass"`
}

// String is the threshold as a report line: `PASS p95_ms 83.2 < 500`.
func (t Threshold) String() string {
	verdict := "PASS"
	if !t.Pass {
		verdict = "FAIL"
	}
	return fmt.Sprintf("%s %s %s < %s", verdict, t.Name, strconv.FormatFloat(t.Value, 'f', -1, 64), strconv.FormatFloat(t.Limit, 'f', -1, 64))
}

const maxErrorSamples = 5

// Summarize computes the summary of samples against cfg's thresholds. No samples fail the run.
func Summarize(samples []Sample, cfg Config) Summary {
	s := Summary{
		Route: Route.Key(), TargetRate: cfg.Rate, DurationS: cfg.Duration.Seconds(),
		Requests: len(samples), StatusCodes: map[string]int{},
	}
	latencies := make([]time.Duration, len(samples))
	var first, last time.Duration
	for i, x := range samples {
		latencies[i] = x.Latency
		s.StatusCodes[strconv.Itoa(x.Status)]++
		if x.Error != "" {
			s.Errors++
			if len(s.ErrorSamples) < maxErrorSamples && !slices.Contains(s.ErrorSamples, x.Error) {
				s.ErrorSamples = append(s.ErrorSamples, x.Error)
			}
		}
		if i == 0 || x.Start < first {
			first = x.Start
		}
		last = max(last, x.Start)
	}
	if span := (last - first).Seconds(); len(samples) > 1 && span > 0 {
		s.Rate = round(float64(len(samples)-1)/span, 2)
	}
	slices.Sort(latencies)
	s.LatencyMS = Latencies{
		P50: ms(Percentile(latencies, 50)), P95: ms(Percentile(latencies, 95)),
		P99: ms(Percentile(latencies, 99)), Max: ms(Percentile(latencies, 100)),
	}
	if len(samples) > 0 {
		s.ErrorRate = round(float64(s.Errors)/float64(len(samples)), 6)
	}
	s.Thresholds = []Threshold{
		{Name: "p95_ms", Value: s.LatencyMS.P95, Limit: ms(cfg.MaxP95)},
		{Name: "error_rate", Value: s.ErrorRate, Limit: cfg.MaxErrorRate},
	}
	s.Pass = len(samples) > 0
	for i := range s.Thresholds {
		t := &s.Thresholds[i]
		t.Pass = len(samples) > 0 && t.Value < t.Limit
		s.Pass = s.Pass && t.Pass
	}
	return s
}

// Percentile is the nearest-rank p-th percentile (0 < p <= 100) of sorted; 0 when empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 3) }

func round(v float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return math.Round(v*f) / f
}
