package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// HoursPerMonth is the month every hourly price is multiplied by (AWS pricing pages use 730).
const HoursPerMonth = 730.0

// Price is one unit price with where it came from.
type Price struct {
	USD    float64 `json:"usd"`
	Unit   string  `json:"unit"`   // e.g. "per instance-hour"
	Source string  `json:"source"` // the AWS pricing page the figure belongs to
	Basis  string  `json:"basis"`  // how the figure was obtained (found in a cited text, or a list price not re-read)
}

// PriceTable is one region's committed prices (prices/<region>.json).
type PriceTable struct {
	Region string           `json:"region"`
	Read   string           `json:"read"` // date the table was written (YYYY-MM-DD)
	Note   string           `json:"note"`
	Prices map[string]Price `json:"prices"`
}

// loadPriceTables reads every prices/<region>.json, checking each price has a unit, a source
// and a basis.
func loadPriceTables(dir string) (map[string]*PriceTable, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no price tables (<region>.json)", dir)
	}
	tables := map[string]*PriceTable{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var t PriceTable
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&t); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if want := strings.TrimSuffix(filepath.Base(f), ".json"); t.Region != want {
			return nil, fmt.Errorf("%s: region %q, want %q (the file name)", f, t.Region, want)
		}
		if t.Read == "" {
			return nil, fmt.Errorf("%s: read (the date the prices were read) is empty", f)
		}
		for k, p := range t.Prices {
			if p.USD < 0 || p.Unit == "" || p.Source == "" || p.Basis == "" {
				return nil, fmt.Errorf("%s: price %s needs usd >= 0, unit, source and basis", f, k)
			}
		}
		tables[t.Region] = &t
	}
	return tables, nil
}

// regions lists the regions with a table, for error messages.
func regions(tables map[string]*PriceTable) string {
	var rs []string
	for r := range tables {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return strings.Join(rs, ", ")
}

// price returns one unit price of the table, or an error naming the missing key.
func (t *PriceTable) price(key string) (float64, error) {
	p, ok := t.Prices[key]
	if !ok {
		return 0, fmt.Errorf("price %q missing from the %s price table (tools/cost/prices/%s.json)", key, t.Region, t.Region)
	}
	return p.USD, nil
}
