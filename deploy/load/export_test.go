package load

import "github.com/cityops/cityops/ingest"

func ingestValidator(bbox [4]float64) *ingest.Validator { return &ingest.Validator{BBox: bbox} }
