package replay

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/cityops/cityops/ingest"
)

// FuzzReplayCSV feeds arbitrary CSV to a dry-run replay in NYC's layout: no
// panic, and every row is counted as accepted or rejected.
func FuzzReplayCSV(f *testing.F) {
	v := &ingest.Validator{BBox: [4]float64{-74.3, 40.4, -73.6, 41.0}, MaxAge: 50 * 365 * 24 * time.Hour}
	f.Fuzz(func(t *testing.T, b []byte) {
		sum, err := Run(context.Background(), bytes.NewReader(b), Config{Mapping: NYC311, Validator: v})
		if err != nil {
			return // no header, or a header without the mapped columns
		}
		if sum.Accepted+sum.Rejected != sum.Rows || len(sum.Rejections) != sum.Rejected {
			t.Fatalf("summary does not add up: %+v", sum)
		}
		for _, r := range sum.Rejections {
			if r.Field == "" || r.Reason == "" {
				t.Fatalf("rejection without field or reason: %+v", r)
			}
		}
	})
}
