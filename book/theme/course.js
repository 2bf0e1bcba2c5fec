// The course's book: a link in the menu bar to this page in the other language.
// Both books have the same paths (book/make_src.py), so the twin of fa/X is en/X; the glossary
// exists in Persian only, and its twin is the English introduction.
(function () {
  "use strict";
  var lang = document.documentElement.lang;
  var other = lang === "fa" ? "en" : "fa";
  var root = new URL(typeof path_to_root === "string" ? path_to_root : "./", location.href);
  var here = location.href.split("#")[0].split("?")[0];
  if (here.indexOf(root.href) !== 0) return;
  var rel = here.slice(root.href.length) || "index.html";
  if (other === "en" && rel === "glossary.html") rel = "index.html";
  var twin = new URL("../" + other + "/" + rel, root.href);
  var a = document.createElement("a");
  a.className = "course-lang";
  a.href = twin.href;
  a.hreflang = other;
  a.lang = other;
  a.dir = other === "fa" ? "rtl" : "ltr";
  a.textContent = other === "fa" ? "فارسی" : "English";
  a.title = other === "fa" ? "همین صفحه به فارسی" : "This page in English";
  var bar = document.querySelector(".right-buttons");
  if (bar) bar.insertBefore(a, bar.firstChild);
})();

// Search in Persian. mdBook indexes Persian words (its Rust indexer trims by Unicode letters),
// but elasticlunr.js trims each query word with /\W/, which knows only ASCII letters, so a
// Persian word was trimmed to nothing and found nothing. The same trimmer, by Unicode letters
// and digits, registered under the same name before the index is loaded (on the first search).
(function () {
  "use strict";
  if (typeof elasticlunr === "undefined") return;
  var trimmer = function (token) {
    return token.replace(/^[^\p{L}\p{N}_]+/u, "").replace(/[^\p{L}\p{N}_]+$/u, "");
  };
  elasticlunr.trimmer = trimmer;
  elasticlunr.Pipeline.registeredFunctions.trimmer = trimmer;
  trimmer.label = "trimmer";
})();
