// basemap: a MapLibre map whose base layer is the city's own area boundaries
// (GET /api/v1/city/areas.geojson), so it needs no tile server. A raster tile
// URL on this server's origin may be given as ?tiles=/tiles/{z}/{x}/{y}.png;
// the page's Content-Security-Policy refuses other origins.
import * as maplibregl from 'maplibre-gl';
import { MapboxOverlay } from '@deck.gl/mapbox';

maplibregl.setWorkerUrl(new URL('/ui/maplibre-worker.js', location.href).href);

// tileURL returns the configured same-origin tile template, or ''.
function tileURL() {
  const u = new URLSearchParams(location.search).get('tiles') || '';
  return u.startsWith('/') && !u.startsWith('//') ? u : '';
}

// newBaseMap makes the map in container, fitted to the city's bbox, with a
// deck.gl overlay for the data layers. It resolves when the style is loaded.
export function newBaseMap(container, c) {
  const sources = { areas: { type: 'geojson', data: new URL('/api/v1/city/areas.geojson', location.href).href } };
  const layers = [{ id: 'bg', type: 'background', paint: { 'background-color': '#0f1720' } }];
  const tiles = tileURL();
  if (tiles) {
    sources.tiles = { type: 'raster', tiles: [new URL(tiles, location.href).href.replaceAll('%7B', '{').replaceAll('%7D', '}')], tileSize: 256 };
    layers.push({ id: 'tiles', type: 'raster', source: 'tiles', paint: { 'raster-opacity': 0.6 } });
  }
  layers.push(
    { id: 'area-fill', type: 'fill', source: 'areas', paint: { 'fill-color': '#1c2a38', 'fill-opacity': 0.55 } },
    { id: 'area-line', type: 'line', source: 'areas', paint: { 'line-color': '#4b6a88', 'line-width': 1 } },
  );
  const [w, s, e, n] = c.bbox;
  const map = new maplibregl.Map({
    container,
    style: { version: 8, sources, layers },
    bounds: w < e && s < n ? [[w, s], [e, n]] : undefined,
    center: w < e && s < n ? undefined : [c.center[1], c.center[0]],
    zoom: w < e && s < n ? undefined : 10,
    fitBoundsOptions: { padding: 20 },
    attributionControl: false,
    // Keeps the canvas readable for screenshots in tests and reports.
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-left');
  const overlay = new MapboxOverlay({ interleaved: false, layers: [] });
  map.addControl(overlay);
  return new Promise((resolve) => map.on('load', () => resolve({ map, overlay })));
}
