package geo

import "math"

// GCJ-02 is the coordinate system Chinese map providers must publish in: WGS-84
// shifted by a smooth, deliberately undocumented offset of a few hundred metres.
// The offset below is the widely used reconstruction of it (Krasovsky
// ellipsoid); the inverse has no closed form and is found by iteration.

const (
	gcjA  = 6378245.0              // semi-major axis of the Krasovsky 1940 ellipsoid
	gcjEE = 0.00669342162296594323 // its first eccentricity squared
)

// outOfChina reports whether a point lies outside the rough box in which the
// offset applies. Outside it GCJ-02 equals WGS-84.
func outOfChina(lat, lon float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// WGS84ToGCJ02 returns the GCJ-02 coordinates of a WGS-84 point. Points outside
// China are returned unchanged.
func WGS84ToGCJ02(lat, lon float64) (float64, float64) {
	if outOfChina(lat, lon) {
		return lat, lon
	}
	dLat, dLon := gcjOffset(lat, lon)
	return lat + dLat, lon + dLon
}

// GCJ02ToWGS84 returns the WGS-84 coordinates of a GCJ-02 point, accurate to
// better than 1e-8 degrees (about a millimetre) against WGS84ToGCJ02. Points
// outside China are returned unchanged.
func GCJ02ToWGS84(lat, lon float64) (float64, float64) {
	if outOfChina(lat, lon) {
		return lat, lon
	}
	// The offset changes by well under 1% of itself across its own size, so the
	// fixed-point iteration w = g - offset(w) converges several digits a step.
	wLat, wLon := lat, lon
	for range 10 {
		dLat, dLon := gcjOffset(wLat, wLon)
		nLat, nLon := lat-dLat, lon-dLon
		done := math.Abs(nLat-wLat) < 1e-10 && math.Abs(nLon-wLon) < 1e-10
		wLat, wLon = nLat, nLon
		if done {
			break
		}
	}
	return wLat, wLon
}

// gcjOffset returns the GCJ-02 offset, in degrees, at a WGS-84 point.
func gcjOffset(lat, lon float64) (dLat, dLon float64) {
	x, y := lon-105.0, lat-35.0
	xPi, yPi := x*math.Pi, y*math.Pi
	common := 20.0*math.Sin(6.0*xPi) + 20.0*math.Sin(2.0*xPi)
	dLat = -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x)) +
		(common+20.0*math.Sin(yPi)+40.0*math.Sin(yPi/3.0)+160.0*math.Sin(yPi/12.0)+320.0*math.Sin(yPi/30.0))*2.0/3.0
	dLon = 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x)) +
		(common+20.0*math.Sin(xPi)+40.0*math.Sin(xPi/3.0)+150.0*math.Sin(xPi/12.0)+300.0*math.Sin(xPi/30.0))*2.0/3.0

	rad := lat / 180.0 * math.Pi
	s := math.Sin(rad)
	magic := 1 - gcjEE*s*s
	sqrtMagic := math.Sqrt(magic)
	dLat = dLat * 180.0 / (gcjA * (1 - gcjEE) / (magic * sqrtMagic) * math.Pi)
	dLon = dLon * 180.0 / (gcjA / sqrtMagic * math.Cos(rad) * math.Pi)
	return dLat, dLon
}
