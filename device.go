package cityops

// Device is a registered sensor: the metric it reports, where it stands and
// the department that answers for it. The city pack lists them
// (devices.yaml); intake takes a reading's place and unit from here, and the
// live map shows them.
type Device struct {
	ID         string  `json:"id" yaml:"id"`
	Type       string  `json:"type" yaml:"type"` // the metric it reports, e.g. water_level
	Unit       string  `json:"unit" yaml:"unit"`
	Lat        float64 `json:"lat" yaml:"lat"`
	Lon        float64 `json:"lon" yaml:"lon"`
	Department string  `json:"department" yaml:"department"`
}
