package history

import "testing"

func TestMonthSpans(t *testing.T) {
	tests := []struct {
		name   string
		months []uint32
		want   string
	}{
		{"one month", []uint32{202603},
			"t >= toDateTime(toDate('2026-03-01')) AND t < toDateTime(toDate('2026-04-01'))"},
		{"a run across the year's end", []uint32{202612, 202611, 202701},
			"t >= toDateTime(toDate('2026-11-01')) AND t < toDateTime(toDate('2027-02-01'))"},
		{"december alone", []uint32{202612},
			"t >= toDateTime(toDate('2026-12-01')) AND t < toDateTime(toDate('2027-01-01'))"},
		{"a gap makes two spans", []uint32{202601, 202602, 202605},
			"((t >= toDateTime(toDate('2026-01-01')) AND t < toDateTime(toDate('2026-03-01')))" +
				" OR (t >= toDateTime(toDate('2026-05-01')) AND t < toDateTime(toDate('2026-06-01'))))"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[uint32]string{}
			for _, v := range tt.months {
				m[v] = "part"
			}
			if got := monthSpans("t", m); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
