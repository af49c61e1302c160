// Citizen portal, step « Où ? »: progressive enhancement only — the form works without it.
// « Je suis sur place » fills the hidden lat/lon from the phone's position; with a tile server
// configured, a Leaflet map lets one drop the pin.
(function () {
  var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
  if (!lat || !lon) return;
  function set(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lon.value = longitude.toFixed(6);
  }
  var here = document.querySelector("[data-here]");
  if (here && "geolocation" in navigator) {
    var status = here.querySelector("[data-here-status]");
    here.hidden = false;
    here.querySelector("[data-here-button]").addEventListener("click", function () {
      status.textContent = "Recherche de votre position…";
      navigator.geolocation.getCurrentPosition(function (position) {
        set(position.coords.latitude, position.coords.longitude);
        status.textContent = "Position trouvée. Vous pouvez continuer (l'adresse est facultative).";
        if (window.portalPin) window.portalPin(position.coords.latitude, position.coords.longitude);
      }, function () {
        status.textContent = "Position indisponible : indiquez l'adresse.";
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }
  var map = document.querySelector("[data-map]");
  if (map && window.L) {
    map.hidden = false;
    var start = lat.value ? [parseFloat(lat.value), parseFloat(lon.value)] : [46.6, -1.4];
    var view = L.map(map.querySelector("[data-map-canvas]")).setView(start, lat.value ? 17 : 13);
    L.tileLayer(map.dataset.tiles, { maxZoom: 19, attribution: map.dataset.attribution || "" }).addTo(view);
    var pin = null;
    window.portalPin = function (latitude, longitude) {
      if (pin) pin.setLatLng([latitude, longitude]); else pin = L.marker([latitude, longitude]).addTo(view);
      view.setView([latitude, longitude], 17);
    };
    view.on("click", function (event) {
      set(event.latlng.lat, event.latlng.lng);
      window.portalPin(event.latlng.lat, event.latlng.lng);
    });
    if (lat.value) window.portalPin(start[0], start[1]);
  }
})();
