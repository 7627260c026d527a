// Package sim feeds a running cityops a realistic mixed stream for demos and
// load: hotline complaints in Chinese and English about the city's
// categories, clustered around a few hotspots, and readings from the city's
// registered sensors, mostly normal with the occasional flood, lifted
// manhole cover or noisy night. It posts to the intake API like any client.
package sim
