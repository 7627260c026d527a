package load

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// sensorSeries reads recorded sensor values, by the device type of the demo
// pack they stand in for: Chicago's beach sensors' wave heights (metres) for
// water levels, Santander's noise monitors (dB) for noise. Other types replay
// the beach sensors' turbidity. Either source may be empty.
func sensorSeries(beach, santander []byte) (map[string][]float64, []float64, error) {
	series := map[string][]float64{}
	var turbidity []float64
	if len(beach) > 0 {
		cr := csv.NewReader(bytes.NewReader(beach))
		header, err := cr.Read()
		if err != nil {
			return nil, nil, fmt.Errorf("reading the beach sensors' header: %w", err)
		}
		col := map[string]int{}
		for i, h := range header {
			col[h] = i
		}
		wave, okW := col["Wave Height"]
		turb, okT := col["Turbidity"]
		if !okW || !okT {
			return nil, nil, errors.New("reading the beach sensors: no Wave Height or Turbidity column")
		}
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, nil, fmt.Errorf("reading the beach sensors: %w", err)
			}
			if v, err := strconv.ParseFloat(rec[wave], 64); err == nil && v >= 0 {
				series["water_level"] = append(series["water_level"], v)
			}
			if v, err := strconv.ParseFloat(rec[turb], 64); err == nil && v >= 0 {
				turbidity = append(turbidity, v)
			}
		}
	}
	if len(santander) > 0 {
		var snap struct {
			Resources []struct {
				Noise string `json:"ayto:noise"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(santander, &snap); err != nil {
			return nil, nil, fmt.Errorf("decoding the Santander sensors: %w", err)
		}
		for _, r := range snap.Resources {
			if v, err := strconv.ParseFloat(r.Noise, 64); err == nil {
				series["noise"] = append(series["noise"], v)
			}
		}
	}
	if len(turbidity) == 0 {
		turbidity = []float64{0}
	}
	return series, turbidity, nil
}
