// Package geo places events in the city: H3 cells (github.com/uber/h3-go/v4)
// at the resolutions the platform keeps, the area (district, street, grid) a
// point lies in, and conversion between WGS-84 and China's GCJ-02.
//
// An Index is built once from the city's area boundaries in GeoJSON and
// answers Locate with the result of exact ray casting over every boundary,
// at the cost of a memory load for most points. It does not go through H3:
// a uniform lat/lon grid over the city maps each cell that no boundary comes
// near straight to its area, and keeps, for each cell a boundary passes, the
// few edges that decide it. Computing a point's H3 cell alone costs a
// microsecond through cgo, a hundred times a grid lookup; events get their
// cells from CellsOf separately.
//
// Coordinates inside the package are WGS-84. Boundaries published in GCJ-02
// (AMap, Tencent and DataV data) are converted when loaded.
package geo
