/* ldapply: small enhancements on top of pages that work without JavaScript. No inline scripts (CSP). */
"use strict";

/* == Steps and uploads (the step page) ======================================================== */
(function () {
  /* The error summary (or the notice that someone else changed the step) takes focus, so a screen
     reader announces it and the keyboard starts there. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  /* A link in the error summary moves focus to the field, not just the view. */
  function followSummaryLinks() {
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        var question = target.closest(".question, .field, fieldset") || target;
        question.scrollIntoView();
        target.focus();
      });
    });
  }

  /* The values the inputs named `name` hold now: the checked radio buttons or boxes, or the value of a
     select or text box. */
  function currentValues(form, name) {
    var values = [];
    form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          values.push(input.value);
        }
      } else if (input.type !== "hidden") {
        values.push(input.value);
      }
    });
    return values;
  }

  /* The radio buttons and boxes of `name` whose value is one of `wanted`: choosing one reveals a question. */
  function revealingChoices(form, name, wanted) {
    return Array.prototype.filter.call(form.querySelectorAll("[name='" + CSS.escape(name) + "']"), function (input) {
      return (input.type === "radio" || input.type === "checkbox") && wanted.indexOf(input.value) !== -1;
    });
  }

  function questionLabel(question) {
    var label = question.querySelector(".label, legend");
    return label ? label.textContent.trim() : "";
  }

  /* Questions with a declarative condition (data-shown-when, data-shown-values) are shown as soon as the
     answer they depend on says so, and hidden again when it no longer does. The server decides the same
     on saving, so without JavaScript they appear once the step is saved. A question whose answer it
     depends on has no input on the page (locked while additions are asked for that question alone) keeps
     what the server rendered. A radio button or box that
     reveals a question controls it (aria-controls; aria-expanded is not allowed on those roles), and every
     question revealed is announced in the page's live region. */
  function revealConditionalQuestions() {
    var questions = document.querySelectorAll("[data-shown-when]");
    if (!questions.length) {
      return;
    }
    var form = questions[0].closest("form");
    var status = form.querySelector("[data-reveal-status]");
    questions.forEach(function (question) {
      var wanted = JSON.parse(question.getAttribute("data-shown-values") || "[]");
      revealingChoices(form, question.getAttribute("data-shown-when"), wanted).forEach(function (input) {
        var ids = (input.getAttribute("aria-controls") || "").split(" ").filter(Boolean);
        input.setAttribute("aria-controls", ids.concat([question.id]).join(" "));
      });
    });
    function update(announce) {
      var revealed = [];
      questions.forEach(function (question) {
        var controlling = question.getAttribute("data-shown-when");
        if (!form.querySelector("[name='" + CSS.escape(controlling) + "']")) {
          return; // the answer it depends on is locked (not asked): the server's decision stands
        }
        var wanted = JSON.parse(question.getAttribute("data-shown-values") || "[]");
        var values = currentValues(form, controlling);
        var shown = values.some(function (value) {
          return wanted.indexOf(value) !== -1;
        });
        if (shown && question.hidden) {
          revealed.push(questionLabel(question));
        }
        question.hidden = !shown;
      });
      if (announce && status && revealed.length) {
        status.textContent = status.getAttribute("data-label-shown") + " " + revealed.join(", ");
      }
    }
    form.addEventListener("change", function () {
      update(true);
    });
    update(false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    followSummaryLinks();
    revealConditionalQuestions();
  });
})();

/* == Journey pages: letter statuses and one submission per click ================================ */
(function () {
  var POLL_MS = 4000;
  var MAX_POLLS = 75; /* about five minutes; after that the "Vernieuwen" link remains */

  /* Build the content of a letter's status cell from the JSON the server sends (texts set as text). */
  function renderStatus(cell, letter, labels) {
    cell.textContent = "";
    if (letter.status === "rendered") {
      var link = document.createElement("a");
      link.href = letter.url;
      link.textContent = labels.download;
      cell.appendChild(link);
      if (letter.rendered_at) {
        var when = document.createElement("span");
        when.className = "hint";
        when.textContent = " (" + letter.rendered_at + ")";
        cell.appendChild(when);
      }
    } else {
      var tag = document.createElement("span");
      tag.className = letter.status === "failed" ? "tag tag-warn" : "tag";
      tag.textContent = letter.status === "failed" ? labels.failed : labels.pending;
      cell.appendChild(tag);
    }
  }

  /* While a letter of the page is being made, ask the server for the statuses every few seconds and
     update the list in place; a letter that is new on the server reloads the list once. */
  function pollLetters() {
    var section = document.querySelector("[data-letters-url][data-letters-pending]");
    if (!section || !window.fetch) {
      return;
    }
    var labels = {
      download: section.getAttribute("data-label-download") || "PDF downloaden",
      pending: section.getAttribute("data-label-pending") || "Wordt opgemaakt",
      failed: section.getAttribute("data-label-failed") || "Kon niet opgemaakt worden"
    };
    var polls = 0;
    function tick() {
      polls += 1;
      fetch(section.getAttribute("data-letters-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) {
            return;
          }
          var shown = section.querySelectorAll("[data-letter-id]").length;
          if (data.letters.length !== shown) {
            window.location.reload();
            return;
          }
          data.letters.forEach(function (letter) {
            var item = section.querySelector("[data-letter-id='" + CSS.escape(letter.id) + "']");
            var cell = item && item.querySelector(".letter-status");
            if (cell && cell.getAttribute("data-status") !== letter.status) {
              cell.setAttribute("data-status", letter.status);
              renderStatus(cell, letter, labels);
            }
          });
          if (!data.pending) {
            var refresh = section.querySelector(".letters-refresh");
            if (refresh) {
              refresh.hidden = true;
            }
            return;
          }
          if (polls < MAX_POLLS) {
            window.setTimeout(tick, POLL_MS);
          }
        })
        .catch(function () {
          if (polls < MAX_POLLS) {
            window.setTimeout(tick, POLL_MS * 2);
          }
        });
    }
    window.setTimeout(tick, POLL_MS);
  }

  /* A button marked data-prevent-double-submit sends its form once: a second click does nothing (the
     server is idempotent anyway, this spares the wait). */
  function preventDoubleSubmit() {
    document.querySelectorAll("button[data-prevent-double-submit]").forEach(function (button) {
      var form = button.closest("form");
      if (!form) {
        return;
      }
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-submitting")) {
          event.preventDefault();
          return;
        }
        form.setAttribute("data-submitting", "true");
        button.setAttribute("aria-disabled", "true");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    pollLetters();
    preventDoubleSubmit();
  });
})();

/* == Back office: a request for additions shows the box for what is wrong only while its item is ticked ==
   Without script every box of a step shows (those of single questions under their step's list). */
(function () {
  function showMessagesOfTickedItems() {
    document.querySelectorAll("[data-item-message-for]").forEach(function (box) {
      var item = document.getElementById(box.getAttribute("data-item-message-for"));
      if (!item) {
        return;
      }
      function update() {
        box.hidden = !item.checked;
      }
      item.setAttribute("aria-controls", box.querySelector("textarea").id);
      item.addEventListener("change", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", showMessagesOfTickedItems);
})();
