// Enhancements only: every page works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Booking pages whose address names no time zone are shown again in the
  // browser's own zone (without script the atelier's zone is used and the
  // zone can be chosen from the list).
  if (document.body.hasAttribute("data-detect-zone")) {
    var params = new URLSearchParams(window.location.search);
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      zone = "";
    }
    if (zone && !params.has("tz")) {
      params.set("tz", zone);
      window.location.replace(window.location.pathname + "?" + params.toString() + window.location.hash);
      return;
    }
  }

  // The time zone list applies as soon as another zone is picked.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.submit();
      }
    });
  });

  // The staff's picker of free times (staff_new.html, staff_reschedule.html)
  // lists the times again as soon as the service, way, artisan, zone or
  // day changes; without script the "Show free times" button does it.
  document.querySelectorAll("[data-picker-refresh]").forEach(function (button) {
    var form = button.form;
    if (!form) {
      return;
    }
    form.querySelectorAll("[data-picker-choice], input[name=date]").forEach(function (field) {
      field.addEventListener("change", function () {
        if (form.requestSubmit) {
          form.requestSubmit(button);
        } else {
          button.click();
        }
      });
    });
  });

  // A second click on a form's button while the first is on its way sends
  // nothing more.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
    });
  });

  // Calendar navigation from the keyboard: arrow keys move between the
  // bookable days of the month.
  var days = Array.prototype.slice.call(document.querySelectorAll(".month a.day"));
  days.forEach(function (day, i) {
    day.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        next = days[i + 1];
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        next = days[i - 1];
      }
      if (next) {
        event.preventDefault();
        next.focus();
      }
    });
  });

  // In an iframe on the atelier's own site (/embed), the page tells the
  // parent its height whenever it changes, so that the frame fits without
  // scroll bars: {type: "atelier:height", height: px}. The parent's
  // snippet (README) checks the message's origin.
  if (document.body.hasAttribute("data-embed") && window.parent !== window) {
    var lastHeight = 0;
    var sendHeight = function () {
      var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (h !== lastHeight) {
        lastHeight = h;
        window.parent.postMessage({ type: "atelier:height", height: h }, "*");
      }
    };
    if (window.ResizeObserver) {
      new ResizeObserver(sendHeight).observe(document.documentElement);
    }
    window.addEventListener("load", sendHeight);
    sendHeight();
  }
})();
