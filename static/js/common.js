/*
 * Helpers shared by the micro-degree block's scripts (panel.js, studio.js), loaded before them in each fragment.
 * Defines one global, `MicrodegreeCommon`; loading it twice on a page is harmless.
 */
(function (window, document) {
  'use strict';

  window.MicrodegreeCommon = window.MicrodegreeCommon || {
    // Runtimes pass a DOM element or (older ones) a jQuery object.
    domElement: function (element) {
      return element && element.jquery ? element[0] : element;
    },
    // A cookie's value ('' when absent), e.g. Django's csrftoken for the handlers' POSTs.
    cookie: function (name) {
      var parts = document.cookie ? document.cookie.split(';') : [];
      for (var i = 0; i < parts.length; i++) {
        var pair = parts[i].trim();
        if (pair.indexOf(name + '=') === 0) {
          return decodeURIComponent(pair.substring(name.length + 1));
        }
      }
      return '';
    }
  };
}(window, document));
