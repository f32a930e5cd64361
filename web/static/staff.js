// Staff pages: enhancements only. Every action here also works without
// script: a tile is a link to its booking, whose page has the move form;
// the day sheet prints with the browser's own Print command.
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var cal = document.querySelector(".cal-scroll");
  if (!cal) {
    return;
  }

  // On a phone the calendar opens on the day view when its address names
  // no view (the server does the same when the browser says it is a phone).
  var params = new URLSearchParams(window.location.search);
  if (!params.has("view") && window.matchMedia("(max-width: 40rem)").matches) {
    params.set("view", "day");
    window.location.replace(window.location.pathname + "?" + params.toString());
    return;
  }

  // The columns as a strip on a phone: today's column in view, else the
  // first that has appointments, so the strip never opens on a blank day
  // while the bookings wait off-screen. Again when the window narrows.
  var axis = cal.querySelector(".cal-axis");
  // (pointerdown also starts a drag, below; touch scrolling is the
  // browser's and needs no help.)
  var focus = cal.querySelector(".cal-col.today") ||
    (cal.querySelector(".cal-col .tile") || {closest: function () { return null; }}).closest(".cal-col");
  var userScrolled = false;
  function showFocus() {
    window.requestAnimationFrame(function () {
      if (focus && !userScrolled && cal.scrollWidth > cal.clientWidth) {
        cal.scrollTo({left: focus.offsetLeft - (axis ? axis.offsetWidth : 0), behavior: "instant"});
      }
    });
  }
  showFocus();
  window.addEventListener("resize", showFocus);
  cal.addEventListener("pointerdown", function () { userScrolled = true; });
  cal.addEventListener("wheel", function () { userScrolled = true; }, {passive: true});
  cal.addEventListener("keydown", function () { userScrolled = true; });

  // Drag a tile to another time (and, in the day view, to another
  // artisan's column): on release the browser goes to the move's confirm
  // page, the same step the move form leads to, where nothing has changed
  // yet and the time is checked. With a mouse or pen the drag starts as
  // the tile moves; on a touch screen after holding the tile still for a
  // moment (touchHold), so that a swipe still scrolls and a tap still
  // opens the booking.
  var first = Number(cal.dataset.first);
  var last = Number(cal.dataset.last);
  var interval = Number(cal.dataset.interval) || 15;
  var drag = null;
  var touchHold = 450; // ms

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function clock(min) { return pad(Math.floor(min / 60)) + ":" + pad(min % 60); }

  function label(min) {
    var h = Math.floor(min / 60), m = min % 60;
    if (cal.dataset.clock === "24h") {
      return clock(min);
    }
    return (h % 12 === 0 ? 12 : h % 12) + ":" + pad(m) + (h < 12 ? " am" : " pm");
  }

  function columnAt(x, y) {
    var els = document.elementsFromPoint(x, y);
    for (var i = 0; i < els.length; i++) {
      var col = els[i].closest && els[i].closest(".cal-col");
      if (col && cal.contains(col)) {
        return col;
      }
    }
    return null;
  }

  // target is where the tile would go for the pointer at (x, y).
  function target(x, y) {
    var col = columnAt(x, y);
    if (!col) {
      return null;
    }
    var box = col.getBoundingClientRect();
    var perMin = box.height / (last - first);
    var top = y - drag.grab - box.top;
    var min = first + Math.round(top / perMin / interval) * interval;
    min = Math.max(first, Math.min(min, last - drag.minutes));
    min = Math.max(0, Math.min(min, 24 * 60 - interval));
    return {col: col, min: min, top: box.top + (min - first) * perMin};
  }

  function heading(col) {
    var i = Array.prototype.indexOf.call(cal.querySelectorAll(".cal-col"), col);
    var head = cal.querySelectorAll(".col-head")[i];
    return head ? head.querySelector("[aria-hidden]").textContent : "";
  }

  function end() {
    if (!drag) {
      return;
    }
    window.clearTimeout(drag.timer);
    drag.tile.classList.remove("dragging", "armed");
    drag.tile.style.transform = "";
    if (drag.hint) {
      drag.hint.remove();
    }
    drag = null;
  }

  cal.addEventListener("pointerdown", function (event) {
    var tile = event.target.closest("a.tile[data-move]");
    if (!tile || event.button !== 0 || drag) {
      return;
    }
    var box = tile.getBoundingClientRect();
    drag = {
      tile: tile, id: event.pointerId, x: event.clientX, y: event.clientY, grab: event.clientY - box.top,
      minutes: Number(tile.dataset.minutes), start: Number(tile.dataset.start), home: tile.closest(".cal-col"),
      left: box.left, top: box.top, moved: false, to: null, hint: null,
      touch: event.pointerType === "touch", armed: event.pointerType !== "touch", timer: 0,
    };
    if (drag.touch) {
      var d = drag;
      d.timer = window.setTimeout(function () {
        if (drag === d) {
          d.armed = true;
          d.tile.classList.add("armed");
          if (navigator.vibrate) {
            navigator.vibrate(10);
          }
        }
      }, touchHold);
    }
  });

  // While a touch drag is on, the finger moves the tile, not the page.
  cal.addEventListener("touchmove", function (event) {
    if (drag && drag.touch && drag.armed) {
      event.preventDefault();
    }
  }, {passive: false});
  cal.addEventListener("contextmenu", function (event) {
    if (drag && drag.touch) {
      event.preventDefault();
    }
  });

  cal.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.id) {
      return;
    }
    if (!drag.moved) {
      var far = Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y);
      if (!drag.armed) {
        if (far > 8) { // a swipe before the hold: the page scrolls
          window.clearTimeout(drag.timer);
          drag = null;
        }
        return;
      }
      if (far < 6) {
        return;
      }
      drag.moved = true;
      drag.tile.setPointerCapture(event.pointerId);
      drag.tile.classList.add("dragging");
      drag.hint = document.createElement("span");
      drag.hint.className = "drag-hint";
      drag.hint.setAttribute("role", "status");
      drag.tile.appendChild(drag.hint);
    }
    event.preventDefault();
    var to = target(event.clientX, event.clientY);
    drag.to = to;
    if (!to) {
      drag.tile.style.transform = "translate(" + (event.clientX - drag.x) + "px," + (event.clientY - drag.y) + "px)";
      drag.hint.textContent = "Drop on the calendar";
      return;
    }
    var dx = to.col.getBoundingClientRect().left - drag.home.getBoundingClientRect().left;
    drag.tile.style.transform = "translate(" + dx + "px," + (to.top - drag.top) + "px)";
    drag.hint.textContent = "To " + heading(to.col) + ", " + label(to.min);
  });

  cal.addEventListener("pointerup", function (event) {
    if (!drag || event.pointerId !== drag.id) {
      return;
    }
    var d = drag;
    window.clearTimeout(d.timer);
    if (!d.moved) {
      d.tile.classList.remove("armed");
      drag = null;
      return; // a click: the link opens the booking
    }
    // The click that follows the release must not open the booking.
    d.tile.addEventListener("click", function (e) { e.preventDefault(); }, {once: true});
    var to = d.to;
    if (!to || (to.col === d.home && to.min === d.start)) {
      end();
      return;
    }
    var q = new URLSearchParams({date: to.col.dataset.date, time: clock(to.min)});
    if (to.col.dataset.artisan) {
      q.set("artisan", to.col.dataset.artisan);
    }
    d.hint.textContent = "Opening the move…";
    window.location.assign(d.tile.dataset.move + "?" + q.toString());
  });

  cal.addEventListener("pointercancel", end);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      end();
    }
  });
  // A native drag of the link would fight the pointer events.
  cal.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest("a.tile")) {
      event.preventDefault();
    }
  });
})();
