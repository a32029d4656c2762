/*
 * The micro-degree progress panel in the courseware.
 *
 * Initialised by the XBlock runtime through `fragment.initialize_js('MicrodegreePanel', args)`; `args` is the panel
 * data: the learner's state (no free text, see panel.client_state) and the signature of everything shown. The
 * panel is complete without this script (it is rendered on the server); the script only keeps it fresh: when the
 * learner comes back to the tab (they may have earned something in another one), when the window gets focus, and
 * on the "Refresh progress" button, it asks the block's `refresh` handler for the current state and swaps the
 * panel body if the state changed.
 *
 * It needs no LMS page script: no jQuery, no global other than the XBlock runtime passed in. Browsers from 2020 on.
 */
(function (window, document) {
  'use strict';

  var MIN_INTERVAL_MS = 5000;  // automatic refreshes at most this often; the button always refreshes

  var domElement = window.MicrodegreeCommon.domElement;  // static/js/common.js
  var cookie = window.MicrodegreeCommon.cookie;

  function MicrodegreePanel(runtime, element, args) {
    var root = domElement(element);
    var panel = root && root.querySelector('.microdegree-panel');
    var api = {refresh: function () { return null; }};
    if (!panel || panel.getAttribute('data-refreshable') !== 'true' || !window.fetch) {
      return api;
    }
    var state = (args || {}).signature || '';
    var button = panel.querySelector('.microdegree-refresh');
    var message = panel.querySelector('.microdegree-status-message');
    var url = runtime.handlerUrl(element, 'refresh');
    var busy = false;
    var last = Date.now();

    function say(key) {
      if (message) {
        message.textContent = message.getAttribute('data-' + key + '-text') || '';
      }
    }

    function focusKey(node) {
      if (!node || !panel.contains(node)) {
        return null;
      }
      return node.getAttribute('href') || node.id || null;
    }

    function swap(html) {
      var holder = document.createElement('div');
      holder.innerHTML = html;
      var fresh = holder.querySelector('.microdegree-panel-body');
      var body = panel.querySelector('.microdegree-panel-body');
      if (!fresh || !body) {
        return;
      }
      var key = focusKey(document.activeElement);
      var hadFocus = body.contains(document.activeElement);
      body.parentNode.replaceChild(fresh, body);
      if (hadFocus) {
        // Keep the keyboard user where they were: the same link if it is still there, else the title.
        var again = null;
        var candidates = fresh.querySelectorAll('a[href], [id]');
        for (var i = 0; i < candidates.length && key; i++) {
          if (candidates[i].getAttribute('href') === key || candidates[i].id === key) {
            again = candidates[i];
            break;
          }
        }
        (again || fresh.querySelector('.microdegree-title') || panel).focus();
      }
    }

    // force: skip the rate limit; announce: tell the outcome even when nothing changed (the button's click).
    function refresh(force, announce) {
      if (busy || (!force && Date.now() - last < MIN_INTERVAL_MS)) {
        return null;
      }
      busy = true;
      last = Date.now();
      if (button) {
        button.setAttribute('aria-busy', 'true');
      }
      var headers = {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'};
      var token = cookie('csrftoken');
      if (token) {
        headers['X-CSRFToken'] = token;
      }
      return window.fetch(url, {
        method: 'POST', credentials: 'same-origin', cache: 'no-store', headers: headers, body: '{}'
      }).then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json();
      }).then(function (data) {
        if (data.signature !== state) {
          state = data.signature;
          swap(data.html);
          say('updated');
          panel.setAttribute('data-updated', String(Date.now()));
        } else if (announce) {
          say('unchanged');
        }
      }).catch(function () {
        if (announce) {
          say('failed');
        }
      }).then(function () {
        busy = false;
        if (button) {
          button.removeAttribute('aria-busy');
        }
      });
    }

    if (button) {
      button.hidden = false;
      button.addEventListener('click', function () { refresh(true, true); });
    }
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') {
        refresh(false, false);
      }
    });
    window.addEventListener('focus', function () { refresh(false, false); });
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) {
        refresh(true, false);  // restored from the back/forward cache: the page may be old
      }
    });

    api.refresh = function () { return refresh(true, true); };
    return api;
  }

  window.MicrodegreePanel = MicrodegreePanel;
}(window, document));
