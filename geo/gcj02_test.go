package geo

import (
	"math"
	"testing"
)

func TestWGS84ToGCJ02(t *testing.T) {
	tests := []struct {
		name                   string
		wLat, wLon, gLat, gLon float64
	}{
		// Published reference pairs of the standard formula.
		{"shanghai", 31.1774276, 121.5272106, 31.17530398364597, 121.531541859215},
		{"shenzhen", 22.543847, 113.912316, 22.540796131694766, 113.9171764808363},
		{"beijing", 39.911954, 116.377817, 39.91334545536069, 116.38404722455657},
		// Outside China there is no offset.
		{"new york", 40.7128, -74.0060, 40.7128, -74.0060},
		{"tokyo", 35.6762, 139.6503, 35.6762, 139.6503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gLat, gLon := WGS84ToGCJ02(tt.wLat, tt.wLon)
			if math.Abs(gLat-tt.gLat) > 1e-9 || math.Abs(gLon-tt.gLon) > 1e-9 {
				t.Errorf("WGS84ToGCJ02(%v, %v) = %v, %v, want %v, %v", tt.wLat, tt.wLon, gLat, gLon, tt.gLat, tt.gLon)
			}
			wLat, wLon := GCJ02ToWGS84(tt.gLat, tt.gLon)
			if math.Abs(wLat-tt.wLat) > 1e-6 || math.Abs(wLon-tt.wLon) > 1e-6 {
				t.Errorf("GCJ02ToWGS84(%v, %v) = %v, %v, want %v, %v", tt.gLat, tt.gLon, wLat, wLon, tt.wLat, tt.wLon)
			}
		})
	}
}

// TestGCJ02RoundTrip checks the inverse over a grid covering China.
func TestGCJ02RoundTrip(t *testing.T) {
	worst := 0.0
	for lat := 18.0; lat <= 53.5; lat += 0.37 {
		for lon := 73.5; lon <= 134.7; lon += 0.53 {
			gLat, gLon := WGS84ToGCJ02(lat, lon)
			wLat, wLon := GCJ02ToWGS84(gLat, gLon)
			worst = max(worst, math.Abs(wLat-lat), math.Abs(wLon-lon))
		}
	}
	if worst > 1e-8 {
		t.Errorf("round trip error up to %g degrees, want < 1e-8", worst)
	}
}

func BenchmarkGCJ02ToWGS84(b *testing.B) {
	for b.Loop() {
		GCJ02ToWGS84(31.17530398364597, 121.531541859215)
	}
}
