/*
 * Studio editor of the micro-degree block: choose the program and the display name, save through the block's
 * `submit_studio_edits` handler, and tell Studio through `runtime.notify` ('save' start/end, 'error', 'cancel').
 *
 * Initialised with `fragment.initialize_js('MicrodegreeStudio', args)`. Texts come translated from the template's
 * data attributes; the server validates every value again. No jQuery, no page script.
 */
(function (window, document) {
  'use strict';

  var domElement = window.MicrodegreeCommon.domElement;  // static/js/common.js
  var cookie = window.MicrodegreeCommon.cookie;

  function MicrodegreeStudio(runtime, element, args) {  // eslint-disable-line no-unused-vars
    var root = domElement(element);
    var form = root.querySelector('.microdegree-studio-form');
    var nameInput = form.querySelector('[name="display_name"]');
    var select = form.querySelector('[name="program"]');
    var status = root.querySelector('.microdegree-studio-status');
    var url = runtime.handlerUrl(element, 'submit_studio_edits');
    var fields = {display_name: nameInput, program: select};

    function notify(name, data) {
      if (typeof runtime.notify === 'function') {
        runtime.notify(name, data);
      }
    }

    function text(key) {
      return form.getAttribute('data-' + key + '-text') || '';
    }

    function errorFor(field) {
      return form.querySelector('.microdegree-studio-error[data-field="' + field + '"]');
    }

    function clearErrors() {
      Object.keys(fields).forEach(function (field) {
        fields[field].removeAttribute('aria-invalid');
        var node = errorFor(field);
        node.textContent = '';
        node.hidden = true;
      });
    }

    function showError(field, message) {
      var input = fields[field] || select;
      var node = errorFor(fields[field] ? field : 'program');
      input.setAttribute('aria-invalid', 'true');
      node.textContent = message;
      node.hidden = false;
      input.focus();
      notify('error', {title: form.getAttribute('data-error-title'), message: message});
    }

    function showSummary() {
      var summaries = root.querySelectorAll('.microdegree-studio-summary [data-program]');
      for (var i = 0; i < summaries.length; i++) {
        summaries[i].hidden = summaries[i].getAttribute('data-program') !== select.value;
      }
    }

    function save(event) {
      if (event) {
        event.preventDefault();
      }
      clearErrors();
      if (!select.value) {
        showError('program', text('required'));
        return null;
      }
      var headers = {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'};
      var token = cookie('csrftoken');
      if (token) {
        headers['X-CSRFToken'] = token;
      }
      status.textContent = text('saving');
      notify('save', {state: 'start', message: text('saving')});
      return window.fetch(url, {
        method: 'POST', credentials: 'same-origin', cache: 'no-store', headers: headers,
        body: JSON.stringify({display_name: nameInput.value, program: select.value})
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return {ok: response.ok, body: body};
        });
      }).then(function (result) {
        if (result.ok) {
          status.textContent = text('saved');
          root.setAttribute('data-saved', select.value);
          notify('save', {state: 'end'});
        } else {
          status.textContent = '';
          showError(result.body.field || 'program', result.body.error || text('failed'));
        }
      }).catch(function () {
        status.textContent = '';
        showError('program', text('failed'));
      });
    }

    select.addEventListener('change', showSummary);
    form.addEventListener('submit', save);
    root.querySelector('.save-button').addEventListener('click', save);
    root.querySelector('.cancel-button').addEventListener('click', function (event) {
      event.preventDefault();
      notify('cancel', {});
    });
    return {save: save};
  }

  window.MicrodegreeStudio = MicrodegreeStudio;
}(window, document));
