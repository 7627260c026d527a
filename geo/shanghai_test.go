package geo

import (
	"testing"

	"github.com/cityops/cityops"
)

// TestShanghaiGCJ02 loads Shanghai's districts, published in GCJ-02, and
// checks that WGS-84 points of known places land in their districts.
func TestShanghaiGCJ02(t *testing.T) {
	for _, file := range []string{"shanghai_districts_310000.geojson", "shanghai_districts_hires.geojson"} {
		t.Run(file, func(t *testing.T) {
			data := readShared(t, "geo/shanghai/"+file)
			ix, err := NewIndex(data, Options{IDProp: "adcode", CRS: CRSGCJ02})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(ix.Areas()); n != 16 {
				t.Errorf("got %d districts, want 16", n)
			}
			tests := []struct {
				place    string
				lat, lon float64 // WGS-84, or GCJ-02 when gcj is set
				gcj      bool
				want     string
			}{
				// 31.2400,121.4900 is the Bund as Chinese web maps give it, in
				// GCJ-02. Taken as WGS-84 it is ~450 m east of the promenade,
				// in the river, on Pudong's side of these files' boundary.
				{"the Bund", 31.2400, 121.4900, true, "黄浦区"},
				{"the Bund, WGS-84", 31.2420, 121.4855, false, "黄浦区"},
				{"People's Square", 31.2304, 121.4737, false, "黄浦区"},
				{"Pudong airport", 31.1443, 121.8083, false, "浦东新区"},
				{"Century Park", 31.2170, 121.5510, false, "浦东新区"},
				{"Xujiahui", 31.1950, 121.4370, false, "徐汇区"},
				{"Jing'an Temple", 31.2235, 121.4455, false, "静安区"},
				{"Zhongshan Park", 31.2220, 121.4180, false, "长宁区"},
				{"Lu Xun Park", 31.2735, 121.4800, false, "虹口区"},
				{"Fudan University", 31.2990, 121.5000, false, "杨浦区"},
				{"Songjiang new town", 31.0322, 121.2277, false, "松江区"},
				{"Jiading old town", 31.3833, 121.2500, false, "嘉定区"},
				{"Chongming Chengqiao", 31.6227, 121.3974, false, "崇明区"},
			}
			for _, tt := range tests {
				lat, lon := tt.lat, tt.lon
				if tt.gcj {
					lat, lon = GCJ02ToWGS84(lat, lon)
				}
				id, ok := ix.Locate(lat, lon)
				a, _ := ix.Area(id)
				if !ok || a.Name != tt.want {
					t.Errorf("%s (%v, %v): got %q %q, want %q", tt.place, tt.lat, tt.lon, id, a.Name, tt.want)
				}
				if a.Level != cityops.LevelDistrict {
					t.Errorf("%s: level %q, want district", tt.place, a.Level)
				}
			}
			if _, ok := ix.Locate(31.2304, 125.0); ok {
				t.Error("a point in the East China Sea was located")
			}

			// The same file read as WGS-84 lies east and north of the
			// converted one by Shanghai's GCJ-02 offset (~+0.0045° lon, ~-0.002° lat).
			raw, err := NewIndex(data, Options{IDProp: "adcode"})
			if err != nil {
				t.Fatal(err)
			}
			dLon, dLat := raw.BBox()[0]-ix.BBox()[0], raw.BBox()[1]-ix.BBox()[1]
			if dLon < 0.003 || dLon > 0.006 || dLat < -0.004 || dLat > 0 {
				t.Errorf("GCJ-02 shift of the box: %.5f lon, %.5f lat", dLon, dLat)
			}
			c := ix.Center()
			if c[0] < 30.6 || c[0] > 31.9 || c[1] < 120.8 || c[1] > 122.2 {
				t.Errorf("center %v is not Shanghai's", c)
			}
		})
	}
}
