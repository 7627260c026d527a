package geo

import (
	"fmt"

	"github.com/cityops/cityops"
)

// The coordinate reference systems NewIndex reads.
const (
	CRSWGS84 = "WGS-84" // GPS coordinates; what events carry
	CRSGCJ02 = "GCJ-02" // China's offset coordinates (AMap, Tencent, DataV boundaries)
)

// Options say how NewIndex reads a GeoJSON FeatureCollection: which feature
// properties hold what, and which coordinate system the geometry is in. The
// zero value reads "id", "name", "name_en", "level" and "parent", WGS-84
// coordinates, and street level where a feature has no level.
type Options struct {
	IDProp     string            // the area's id; a string or a number (normalised to its decimal text)
	NameProp   string            // the area's name; the id when missing
	NameENProp string            // the English name, optional
	LevelProp  string            // city, district, street or grid
	ParentProp string            // the id of the enclosing area, optional; it must be in the same collection
	Level      cityops.AreaLevel // the level of features without LevelProp
	CRS        string            // CRSWGS84 or CRSGCJ02; GCJ-02 is converted to WGS-84 at load
}

// withDefaults returns o with empty fields set to their defaults, or an error
// when a field holds a value NewIndex does not know.
func (o Options) withDefaults() (Options, error) {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.IDProp, "id")
	def(&o.NameProp, "name")
	def(&o.NameENProp, "name_en")
	def(&o.LevelProp, "level")
	def(&o.ParentProp, "parent")
	if o.Level == "" {
		o.Level = cityops.LevelStreet
	}
	if levelRank(o.Level) < 0 {
		return o, fmt.Errorf("checking options: %w", cityops.Invalid("Level", "unknown level %q", o.Level))
	}
	switch o.CRS {
	case "":
		o.CRS = CRSWGS84
	case CRSWGS84, CRSGCJ02:
	default:
		return o, fmt.Errorf("checking options: %w", cityops.Invalid("CRS", "unknown CRS %q (want %q or %q)", o.CRS, CRSWGS84, CRSGCJ02))
	}
	return o, nil
}

// levelRank orders the levels from coarse (0, city) to fine (3, grid); it is
// -1 for an unknown level.
func levelRank(l cityops.AreaLevel) int {
	switch l {
	case cityops.LevelCity:
		return 0
	case cityops.LevelDistrict:
		return 1
	case cityops.LevelStreet:
		return 2
	case cityops.LevelGrid:
		return 3
	}
	return -1
}
