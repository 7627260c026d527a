package learn

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cityops/cityops"
)

// rewriteAreas returns the FeatureCollection with each feature's id
// property set from its key property (a number or a string), so that the
// learned pack names its areas as the city's records do, its name from
// nameKey (or the first property that looks like a name), and its level.
// A key no feature has is an error listing the properties there are, and
// which of them look like ids (a distinct value on every feature).
func rewriteAreas(geojson []byte, key, nameKey string, level cityops.AreaLevel) ([]byte, []string, error) {
	var fc map[string]any
	if err := json.Unmarshal(geojson, &fc); err != nil {
		return nil, nil, fmt.Errorf("decoding areas: %w", err)
	}
	feats, _ := fc["features"].([]any)
	if len(feats) == 0 {
		return nil, nil, fmt.Errorf("areas: no features")
	}
	props := make([]map[string]any, len(feats))
	for i, f := range feats {
		fm, _ := f.(map[string]any)
		props[i], _ = fm["properties"].(map[string]any)
		if props[i] == nil {
			props[i] = map[string]any{}
			if fm != nil {
				fm["properties"] = props[i]
			}
		}
	}
	if nameKey == "" {
		nameKey = guessName(props[0], key)
	}
	var ids []string
	for i, p := range props {
		id, ok := propText(p[key])
		if !ok {
			return nil, nil, fmt.Errorf("areas: --area-key: feature %d has no %q property; it has: %s%s",
				i, key, strings.Join(slices.Sorted(maps.Keys(p)), ", "), idLike(props))
		}
		name, _ := propText(p[nameKey])
		p["id"] = id
		p["name"] = cmpOr(name, id)
		p["level"] = string(level)
		ids = append(ids, id)
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding areas: %w", err)
	}
	return b, ids, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// propText is a property as text: strings as they are, numbers in their
// shortest decimal form.
func propText(v any) (string, bool) {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case string:
		return v, v != ""
	}
	return "", false
}

// guessName returns the first property (in sorted order) whose key says
// it is a name, other than the id key.
func guessName(p map[string]any, key string) string {
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if _, ok := p[k].(string); ok && k != key && strings.Contains(strings.ToLower(k), "name") {
			return k
		}
	}
	return ""
}

// idLike says which properties look like area ids: present on every
// feature with a distinct value, and no fraction (an area or a length).
func idLike(props []map[string]any) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(props[0])) {
		seen := map[string]bool{}
		for _, p := range props {
			s, ok := propText(p[k])
			if f, isNum := p[k].(float64); !ok || seen[s] || isNum && f != float64(int64(f)) {
				break
			}
			seen[s] = true
		}
		if len(seen) == len(props) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; these look like ids (a distinct value on every feature): " + strings.Join(out, ", ")
}

// boxAreas is the pack's areas when none are given: one city-level area,
// the box around the records' locations (or the whole world without any),
// so that the pack loads and routes by department alone.
func boxAreas(recs []Record, name string) []byte {
	minLat, minLon, maxLat, maxLon := 90.0, 180.0, -90.0, -180.0
	for _, r := range recs {
		if r.HasLoc {
			minLat, maxLat = min(minLat, r.Lat), max(maxLat, r.Lat)
			minLon, maxLon = min(minLon, r.Lon), max(maxLon, r.Lon)
		}
	}
	if minLat > maxLat {
		minLat, minLon, maxLat, maxLon = -89, -179, 89, 179
	}
	const pad = 0.01
	minLat, minLon, maxLat, maxLon = max(-89.9, minLat-pad), max(-179.9, minLon-pad), min(89.9, maxLat+pad), min(179.9, maxLon+pad)
	ring := [][2]float64{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}
	fc := map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{
		"type":       "Feature",
		"properties": map[string]any{"id": "city", "name": cmpOr(name, "city"), "level": string(cityops.LevelCity)},
		"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][2]float64{ring}},
	}}}
	b, _ := json.Marshal(fc) // plain values: cannot fail
	return b
}
