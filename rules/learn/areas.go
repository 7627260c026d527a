package learn

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// rewriteAreas returns the FeatureCollection with each feature's id
// property set from its key property (a number or a string), so that the
// learned pack names its areas as the city's records do.
func rewriteAreas(geojson []byte, key string) ([]byte, []string, error) {
	var fc map[string]any
	if err := json.Unmarshal(geojson, &fc); err != nil {
		return nil, nil, fmt.Errorf("decoding areas: %w", err)
	}
	feats, _ := fc["features"].([]any)
	if len(feats) == 0 {
		return nil, nil, fmt.Errorf("areas: no features")
	}
	var ids []string
	for i, f := range feats {
		fm, _ := f.(map[string]any)
		props, _ := fm["properties"].(map[string]any)
		var id string
		switch v := props[key].(type) {
		case float64:
			id = strconv.FormatFloat(v, 'f', -1, 64)
		case string:
			id = v
		default:
			return nil, nil, fmt.Errorf("areas: feature %d has no %q property", i, key)
		}
		props["id"] = id
		if _, ok := props["name"]; !ok {
			props["name"] = id
		}
		ids = append(ids, id)
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding areas: %w", err)
	}
	return b, ids, nil
}
