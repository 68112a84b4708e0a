// Counterpoint page script, installed once from the source view's js_on_load.
// A click on a citation chip (<a href="#cite-P3-120-245">) scrolls the source view to that exact span
// (character offsets from ingest) and highlights it; section pills (#cp-goto-P5) jump to a passage.
// Esc stops a reply being written. A chip in the Classroom tab scrolls that tab's own source view.
(() => {
  if (window.counterpoint) return;
  const ACTIVE = "cp-active";
  const CITE = /^#cite-(P\d+)(?:-(\d+)-(\d+))?$/;
  const GOTO = /^#cp-goto-(P\d+)$/;
  const smooth = () => (window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth");

  function targetsFor(root, href) {
    let m = href.match(CITE);
    if (m) {
      const exact = m[2] ? [...root.querySelectorAll(`mark[data-spans~="${m[2]}-${m[3]}"]`)] : [];
      return exact.length ? exact : [...root.querySelectorAll(`[data-passage="${m[1]}"]`)];
    }
    m = href.match(GOTO);
    return m ? [...root.querySelectorAll(`[data-passage="${m[1]}"]`)] : [];
  }

  function show(href, link) {
    const inClassroom = link && link.closest && link.closest("#cp-classroom, #cp-teacher");
    const box = document.querySelector(`${inClassroom ? "#cp-cl-source" : "#cp-source"} .cp-source-text`);
    if (!box) return false;
    const targets = targetsFor(box, href);
    if (!targets.length) return false;
    document.querySelectorAll("." + ACTIVE).forEach((el) => el.classList.remove(ACTIVE));
    targets.forEach((el) => el.classList.add(ACTIVE));
    const first = targets[0];
    const offset = first.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTo({ top: box.scrollTop + offset - box.clientHeight / 4, behavior: smooth() });
    const rect = box.getBoundingClientRect();
    if (rect.top > window.innerHeight - 120 || rect.bottom < 120) {
      box.scrollIntoView({ block: "nearest", behavior: smooth() });
    }
    return true;
  }

  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest('a[href^="#cite-"], a[href^="#cp-goto-"]');
      if (!link) return;
      event.preventDefault();
      event.stopPropagation();
      show(link.getAttribute("href"), link);
    },
    true,
  );

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const stop = document.querySelector("#cp-stop");
    if (stop && stop.offsetParent !== null) stop.click();
  });

  window.counterpoint = { show };
})();
