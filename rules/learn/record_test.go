package learn_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cityops/cityops/rules/learn"
)

func TestReadCSVWithMapping(t *testing.T) {
	m, err := learn.LoadMapping("testdata/other_city.mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/other_city.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := learn.ReadCSV(f, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	ny, _ := time.LoadLocation("America/New_York")
	if r.ID != "1" || r.Type != "Pothole" || r.Descriptor != "Large" || r.Agency != "roads" || !r.HasLoc || r.Lat != 40.75 ||
		r.Area != "105" || !r.Created.Equal(time.Date(2024, 3, 1, 8, 0, 0, 0, ny)) || r.Closed.Sub(r.Created) != 2*time.Hour {
		t.Errorf("got %+v", r)
	}
	if recs[2].Area != "" || !recs[2].Closed.IsZero() || recs[3].HasLoc {
		t.Errorf("empty fields: %+v %+v", recs[2], recs[3])
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct{ name, csv, want string }{
		{"missing column", "a,b\n1,2\n", `no column "unique_key"`},
		{"bad location", strings.Replace(nycHeader, "\n", "", 1) + "\n1,2024-01-01T00:00:00,,NYPD,,Noise,,,,,,01 BRONX,north,west,,,\n", "line 2: location"},
		{"bad time", strings.Replace(nycHeader, "\n", "", 1) + "\n1,yesterday,,NYPD,,Noise,,,,,,01 BRONX,,,,,\n", "line 2: created"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := learn.ReadCSV(strings.NewReader(tc.csv), learn.NYC311)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

const nycHeader = "unique_key,created_date,closed_date,agency,agency_name,complaint_type,descriptor,location_type,incident_zip,incident_address,borough,community_board,latitude,longitude,status,resolution_description,open_data_channel_type\n"

func TestNYCBoards(t *testing.T) {
	csv := nycHeader
	for _, b := range []string{"07 MANHATTAN", "12 BRONX", "01 STATEN ISLAND", "0 Unspecified", "Unspecified QUEENS", "81 QUEENS"} {
		csv += "1,2024-01-01T00:00:00,,NYPD,,Noise,,,,,," + b + ",,,,,\n"
	}
	recs, err := learn.ReadCSV(strings.NewReader(csv), learn.NYC311)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Area)
	}
	if want := "107 212 501   481"; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}

func TestNYCAddress(t *testing.T) {
	csv := nycHeader + "1,2024-01-01T00:00:00,,DOT,,Sidewalk Condition,,,11355,135-26  booth memorial avenue,QUEENS,07 QUEENS,40.74,-73.82,,,\n" +
		"2,2024-01-01T00:00:00,,NYPD,,Noise,,,,,BRONX,01 BRONX,40.8,-73.9,,,\n"
	recs, err := learn.ReadCSV(strings.NewReader(csv), learn.NYC311)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if got := recs[0].Address; got != "135-26 BOOTH MEMORIAL AVENUE" {
		t.Errorf("address: got %q", got)
	}
	if recs[1].Address != "" {
		t.Errorf("empty address: got %q", recs[1].Address)
	}
}

// TestReadCSVSkipping reads the example layout of ingest/replay through
// the mapping replay reads: the malformed rows are skipped, each said with
// its line, and the rest read.
func TestReadCSVSkipping(t *testing.T) {
	m, err := learn.LoadMapping("../../ingest/replay/testdata/city.mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../../ingest/replay/testdata/city.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, skipped, err := learn.ReadCSVSkipping(f, m)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"line 4: created", "line 6: location", "line 9: wrong number of fields"}
	if len(skipped) != len(want) {
		t.Fatalf("skipped %q, want %d", skipped, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(skipped[i], w) {
			t.Errorf("skipped %q, want %q", skipped[i], w)
		}
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if len(recs) != 5 || recs[0].Agency != "sanitation" || recs[0].AgencyName != "市容环境局" || recs[0].Area != "d1" ||
		!recs[0].Created.Equal(time.Date(2026, 6, 30, 9, 0, 0, 0, sh)) {
		t.Errorf("read %d records, the first %+v", len(recs), recs[0])
	}
	if _, err := learn.LoadMapping("testdata/other_city.csv"); err == nil || !strings.Contains(err.Error(), "line 1: want key: value pairs") {
		t.Errorf("a CSV read as a mapping: %v", err)
	}
}
