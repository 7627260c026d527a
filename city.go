package cityops

// AreaLevel is an area's place in the city's hierarchy.
type AreaLevel string

// The levels of areas, largest first.
const (
	LevelCity     AreaLevel = "city"
	LevelDistrict AreaLevel = "district"
	LevelStreet   AreaLevel = "street" // street office or town (街道/镇)
	LevelGrid     AreaLevel = "grid"   // management grid (网格)
)

// Area is a part of the city with a boundary and a place in the hierarchy.
type Area struct {
	ID       string    `json:"id" yaml:"id"`
	Name     string    `json:"name" yaml:"name"`
	NameEN   string    `json:"name_en,omitempty" yaml:"name_en,omitempty"`
	Level    AreaLevel `json:"level" yaml:"level"`
	ParentID string    `json:"parent_id,omitempty" yaml:"parent_id,omitempty"`
}

// Department is a unit that receives and handles dispatched tasks.
type Department struct {
	ID     string `json:"id" yaml:"id"`
	Name   string `json:"name" yaml:"name"`
	NameEN string `json:"name_en,omitempty" yaml:"name_en,omitempty"`
}

// CategoryKind separates city parts (部件: things such as manhole covers) from
// events (事件: happenings such as illegal dumping).
type CategoryKind string

// The kinds of category.
const (
	KindPart  CategoryKind = "part"
	KindEvent CategoryKind = "event"
)

// Category is one entry of the city's classification of parts and events,
// coded as the national standard codes it.
type Category struct {
	Code          string       `json:"code" yaml:"code"`
	Kind          CategoryKind `json:"kind" yaml:"kind"`
	Name          string       `json:"name" yaml:"name"`
	NameEN        string       `json:"name_en,omitempty" yaml:"name_en,omitempty"`
	DeadlineHours int          `json:"deadline_hours,omitempty" yaml:"deadline_hours,omitempty"` // time allowed to handle it
	Severity      int          `json:"severity,omitempty" yaml:"severity,omitempty"`             // default severity 1..4
	ServiceCode   string       `json:"service_code,omitempty" yaml:"service_code,omitempty"`     // the Open311 GeoReport v2 service_code it is offered as, optional
}

// City is the running city as the other stages see it.
type City struct {
	Name        string       `json:"name" yaml:"name"`
	NameEN      string       `json:"name_en,omitempty" yaml:"name_en,omitempty"`
	TimeZone    string       `json:"time_zone" yaml:"time_zone"`
	Center      [2]float64   `json:"center" yaml:"center"` // [lat, lon]
	BBox        [4]float64   `json:"bbox" yaml:"bbox"`     // [min lon, min lat, max lon, max lat]
	Areas       []Area       `json:"areas" yaml:"areas"`
	Departments []Department `json:"departments" yaml:"departments"`
	Categories  []Category   `json:"categories" yaml:"categories"`
}
