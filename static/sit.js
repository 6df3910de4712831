// SIT web UI: keyboard shortcuts (listed under `?`), the Write/Preview tabs of Markdown editors,
// and Ctrl+Enter to submit. Everything here is an enhancement: every page works without it.
(function () {
  'use strict';

  function typing(target) {
    if (!target || !(target instanceof Element)) return false;
    var tag = target.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('.issue-list .issue-row'));
  }

  function select(delta) {
    var list = rows();
    if (list.length === 0) return;
    var current = list.findIndex(function (row) {
      return row.classList.contains('selected');
    });
    var next =
      current < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, current + delta));
    list.forEach(function (row) {
      row.classList.remove('selected');
      row.removeAttribute('aria-current');
    });
    var row = list[next];
    row.classList.add('selected');
    row.setAttribute('aria-current', 'true');
    row.scrollIntoView({ block: 'nearest' });
    var link = row.querySelector('.issue-title');
    if (link) link.focus({ preventScroll: true });
  }

  function openSelected() {
    var row = document.querySelector('.issue-list .issue-row.selected .issue-title');
    if (row) window.location.assign(row.getAttribute('href'));
  }

  function dialog() {
    return document.getElementById('shortcuts');
  }

  function showShortcuts() {
    var d = dialog();
    if (d && typeof d.showModal === 'function' && !d.open) d.showModal();
  }

  var pendingG = 0;

  document.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && typing(event.target)) {
      var form = event.target.form;
      if (form) {
        event.preventDefault();
        var submit =
          form.querySelector('button[type="submit"].button-primary') ||
          form.querySelector('button[type="submit"]:not([name="preview"])');
        if (typeof form.requestSubmit === 'function') form.requestSubmit(submit || undefined);
        else form.submit();
      }
      return;
    }
    if (event.key === 'Escape' && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var d = dialog();
    if (d && d.open) return;
    var key = event.key;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      var go = { i: '/', l: '/labels', m: '/milestones' }[key];
      if (go) {
        event.preventDefault();
        window.location.assign(go);
      }
      return;
    }
    switch (key) {
      case '/': {
        var search = document.getElementById('q');
        if (search) {
          event.preventDefault();
          search.focus();
          search.select();
        }
        break;
      }
      case 'j':
        event.preventDefault();
        select(1);
        break;
      case 'k':
        event.preventDefault();
        select(-1);
        break;
      case 'o':
        openSelected();
        break;
      case 'Enter':
        if (document.querySelector('.issue-list .issue-row.selected')) {
          event.preventDefault();
          openSelected();
        }
        break;
      case 'c': {
        var create = document.querySelector('a[href="/new"]');
        if (create) {
          event.preventDefault();
          window.location.assign('/new');
        }
        break;
      }
      case 'r': {
        var box = document.getElementById('comment-text');
        if (box) {
          event.preventDefault();
          box.focus();
        }
        break;
      }
      case 'e': {
        var edit = document.querySelector('.issue-header a[href$="/edit"]');
        if (edit) {
          event.preventDefault();
          window.location.assign(edit.getAttribute('href'));
        }
        break;
      }
      case 'g':
        pendingG = Date.now();
        break;
      case '?':
        event.preventDefault();
        showShortcuts();
        break;
      default:
        break;
    }
  });

  // The footer link opens the list in place.
  document.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('[data-shortcuts]') : null;
    if (link && dialog()) {
      event.preventDefault();
      showShortcuts();
    }
  });

  // Markdown editors: Preview asks the server (htmx) and shows the result in place of the text;
  // Write goes back. Without JavaScript, Preview submits the form and the page shows both.
  function editors(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('.editor'), function (editor) {
      var write = editor.querySelector('[data-editor-write]');
      if (write) write.hidden = false;
    });
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var preview = target.closest('[data-editor-preview]');
    var write = target.closest('[data-editor-write]');
    var editor = (preview || write) && (preview || write).closest('.editor');
    if (!editor) return;
    if (preview) {
      editor.classList.add('previewing');
      var panel = editor.querySelector('.editor-preview');
      if (panel && panel.childElementCount === 0) panel.textContent = 'Loading preview…';
    } else {
      editor.classList.remove('previewing');
      var area = editor.querySelector('textarea');
      if (area) area.focus();
    }
  });

  // A new comment form after a swap starts in Write mode again.
  document.addEventListener('htmx:after:swap', function () {
    editors(document);
  });

  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', function () {
      editors(document);
    });
  else editors(document);
})();
