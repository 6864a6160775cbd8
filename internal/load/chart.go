package load

import (
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Bucket is the requests started in one time slice of the run.
type Bucket struct {
	Start         time.Duration
	Requests      int
	Errors        int
	P50, P95, P99 time.Duration
	latencies     []time.Duration
}

// BucketWidth is the time slice of the chart: about 120 slices per run, at least 100 ms
// (a 2-minute run has 1-second slices).
func BucketWidth(run time.Duration) time.Duration {
	return max((run / 120).Round(100*time.Millisecond), 100*time.Millisecond)
}

// Buckets groups samples by start time into slices of width, from 0 to the last start.
func Buckets(samples []Sample, width time.Duration) []Bucket {
	var out []Bucket
	for _, s := range samples {
		i := int(s.Start / width)
		for len(out) <= i {
			out = append(out, Bucket{Start: time.Duration(len(out)) * width})
		}
		b := &out[i]
		b.Requests++
		if s.Error != "" {
			b.Errors++
		}
		b.latencies = append(b.latencies, s.Latency)
	}
	for i := range out {
		b := &out[i]
		slices.Sort(b.latencies)
		b.P50, b.P95, b.P99 = Percentile(b.latencies, 50), Percentile(b.latencies, 95), Percentile(b.latencies, 99)
		b.latencies = nil
	}
	return out
}

// The chart's geometry (SVG user units).
const (
	chartW, chartH   = 960, 560
	plotL, plotR     = 80, 940
	latTop, latBot   = 90, 390
	errTop, errBot   = 440, 520
	colourP50        = "#1f77b4"
	colourP95        = "#ff7f0e"
	colourP99        = "#9467bd"
	colourError      = "#d62728"
	colourThresholds = "#d62728"
)

// WriteSVG draws latency over time (p50, p95 and p99 per slice, the p95 limit) above the error
// rate per slice (and its limit), titled with the run's verdict.
func WriteSVG(w io.Writer, samples []Sample, s Summary, cfg Config) error {
	width := BucketWidth(cfg.Duration)
	buckets := Buckets(samples, width)
	xMax := cfg.Duration.Seconds()
	if n := len(buckets); n > 0 {
		xMax = max(xMax, (buckets[n-1].Start + width).Seconds())
	}
	limitMS := ms(cfg.MaxP95)
	yMax := limitMS * 1.2
	errMax := cfg.MaxErrorRate * 100 * 2
	for _, b := range buckets {
		yMax = max(yMax, ms(b.P99))
		errMax = max(errMax, 100*float64(b.Errors)/float64(b.Requests))
	}
	yStep, yTop := axis(yMax)
	eStep, eTop := axis(errMax)
	xStep, xTop := axis(xMax)
	x := func(sec float64) float64 { return plotL + (plotR-plotL)*sec/xTop }
	yLat := func(v float64) float64 { return latBot - (latBot-latTop)*v/yTop }
	yErr := func(v float64) float64 { return errBot - (errBot-errTop)*v/eTop }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", chartW, chartH)
	verdict, colour := "PASS", "#2ca02c"
	if !s.Pass {
		verdict, colour = "FAIL", colourError
	}
	text(&b, plotL, 28, "start", 16, "bold", "black", fmt.Sprintf("%s at %d req/s for %s", s.Route, s.TargetRate, cfg.Duration))
	text(&b, plotR, 28, "end", 16, "bold", colour, verdict)
	text(&b, plotL, 50, "start", 12, "normal", "#333", fmt.Sprintf(
		"%d requests, %.1f req/s; p50 %.1f ms, p95 %.1f ms (limit %.0f ms), p99 %.1f ms; errors %.2f%% (limit %.2f%%)",
		s.Requests, s.Rate, s.LatencyMS.P50, s.LatencyMS.P95, limitMS, s.LatencyMS.P99, 100*s.ErrorRate, 100*cfg.MaxErrorRate))
	if s.Cleanup != "" {
		text(&b, plotL, 68, "start", 12, "normal", colourError, s.Cleanup)
	}

	// Latency panel: grid, axes, the three series and the limit.
	for v := 0.0; v <= yTop+yStep/2; v += yStep {
		line(&b, plotL, yLat(v), plotR, yLat(v), "#e5e5e5", "")
		text(&b, plotL-6, yLat(v)+4, "end", 11, "normal", "#333", trim(v))
	}
	text(&b, 18, (latTop+latBot)/2, "middle", 12, "normal", "#333", "latency (ms)", fmt.Sprintf("rotate(-90 18 %d)", (latTop+latBot)/2))
	for _, series := range []struct {
		name, colour string
		get          func(Bucket) time.Duration
	}{{"p50", colourP50, func(b Bucket) time.Duration { return b.P50 }}, {"p95", colourP95, func(b Bucket) time.Duration { return b.P95 }}, {"p99", colourP99, func(b Bucket) time.Duration { return b.P99 }}} {
		var pts []string
		for _, bk := range buckets {
			if bk.Requests > 0 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x((bk.Start+width/2).Seconds()), yLat(ms(series.get(bk)))))
			}
		}
		fmt.Fprintf(&b, `<polyline class="%s" fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", series.name, series.colour, strings.Join(pts, " "))
	}
	line(&b, plotL, yLat(limitMS), plotR, yLat(limitMS), colourThresholds, "6,4")
	text(&b, plotR-4, yLat(limitMS)-5, "end", 11, "normal", colourThresholds, fmt.Sprintf("p95 limit %.0f ms", limitMS))
	for i, l := range []struct{ name, colour string }{{"p50", colourP50}, {"p95", colourP95}, {"p99", colourP99}} {
		lx := float64(plotL + 10 + i*70)
		line(&b, lx, latTop+10, lx+20, latTop+10, l.colour, "")
		text(&b, lx+24, latTop+14, "start", 11, "normal", "#333", l.name)
	}
	rect(&b, plotL, latTop, plotR-plotL, latBot-latTop, "none", "#999")

	// Error panel: error percentage per slice as bars, and the limit.
	for v := 0.0; v <= eTop+eStep/2; v += eStep {
		line(&b, plotL, yErr(v), plotR, yErr(v), "#e5e5e5", "")
		text(&b, plotL-6, yErr(v)+4, "end", 11, "normal", "#333", trim(v))
	}
	text(&b, 18, (errTop+errBot)/2, "middle", 12, "normal", "#333", "errors (%)", fmt.Sprintf("rotate(-90 18 %d)", (errTop+errBot)/2))
	barW := math.Max(x(width.Seconds())-x(0)-1, 1)
	for _, bk := range buckets {
		if bk.Errors > 0 {
			pct := 100 * float64(bk.Errors) / float64(bk.Requests)
			fmt.Fprintf(&b, `<rect class="errors" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x(bk.Start.Seconds()), yErr(pct), barW, errBot-yErr(pct), colourError)
		}
	}
	limitPct := 100 * cfg.MaxErrorRate
	line(&b, plotL, yErr(limitPct), plotR, yErr(limitPct), colourThresholds, "6,4")
	text(&b, plotR-4, yErr(limitPct)-5, "end", 11, "normal", colourThresholds, fmt.Sprintf("error limit %s%%", trim(limitPct)))
	rect(&b, plotL, errTop, plotR-plotL, errBot-errTop, "none", "#999")

	// Time axis.
	for v := 0.0; v <= xTop+xStep/2; v += xStep {
		line(&b, x(v), errBot, x(v), errBot+5, "#333", "")
		text(&b, x(v), errBot+18, "middle", 11, "normal", "#333", trim(v))
	}
	text(&b, (plotL+plotR)/2, errBot+36, "middle", 12, "normal", "#333", fmt.Sprintf("seconds since the first request (slices of %s)", width))
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// axis is a round step and top for values up to v: about five gridlines.
func axis(v float64) (step, top float64) {
	if v <= 0 || math.IsNaN(v) {
		v = 1
	}
	raw := v / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	return step, math.Ceil(v/step-1e-9) * step
}

func trim(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

func text(b *strings.Builder, x, y float64, anchor string, size int, weight, fill, s string, transform ...string) {
	t := ""
	if len(transform) > 0 {
		t = fmt.Sprintf(` transform="%s"`, transform[0])
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="%s" font-size="%d" font-weight="%s" fill="%s"%s>%s</text>`+"\n", x, y, anchor, size, weight, fill, t, html.EscapeString(s))
}

func line(b *strings.Builder, x1, y1, x2, y2 float64, stroke, dash string) {
	d := ""
	if dash != "" {
		d = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"%s/>`+"\n", x1, y1, x2, y2, stroke, d)
}

func rect(b *strings.Builder, x, y, w, h float64, fill, stroke string) {
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="%s"/>`+"\n", x, y, w, h, fill, stroke)
}
