// SPDX-License-Identifier: EUPL-1.2
// Every Leaflet map of Lyhty (logger, map workspace, the plan's and the protocol's folium
// maps) says so when its base map does not load, and credits the tiles only once they show.
// Loaded right after leaflet.js, before any map is made: it hooks every tile layer.
(function () {
  const notice = document.currentScript.dataset.failed;

  L.TileLayer.addInitHook(function () {
    const layer = this;
    const credit = layer.options.attribution;
    let loaded = false;
    let box = null;
    layer.options.attribution = null; // given to the map when the first tile has loaded

    const hideNotice = () => {
      if (box) box.remove();
      box = null;
    };
    layer.on("tileload", () => {
      hideNotice();
      if (loaded) return;
      loaded = true;
      layer.options.attribution = credit; // Leaflet takes it off again with the layer
      if (credit && layer._map && layer._map.attributionControl) {
        layer._map.attributionControl.addAttribution(credit);
      }
    });
    layer.on("tileerror", () => {
      if (loaded || box || !layer._map) return;
      box = L.control({ position: "bottomleft" });
      box.onAdd = () => {
        const element = L.DomUtil.create("p", "basemap-notice");
        element.setAttribute("role", "status");
        element.textContent = notice;
        return element;
      };
      box.addTo(layer._map);
    });
    layer.on("remove", hideNotice);
  });
})();
