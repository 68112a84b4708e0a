// Counterpoint page script, installed once from the source view's js_on_load.
// A click on a citation chip (<a href="#cite-P3-120-245">) scrolls the source view to that exact span
// (character offsets from ingest) and highlights it; section pills (#cp-goto-P5) jump to a passage.
// Esc stops a reply being written. The message box's counter shows its length against the limit. A chip in the Classroom tab scrolls that tab's own source view.
// A node of the Argument view (<a href="#cp-span-120-245">) opens the Source tab and highlights that exact
// span of the essay text (offsets counted over the text, passage labels left out).
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
    if (!inClassroom && revealSource(() => show(href, link))) return true;
    const box = document.querySelector(`${inClassroom ? "#cp-cl-source" : "#cp-source"} .cp-source-text`);
    if (!box) return false;
    const targets = targetsFor(box, href);
    if (!targets.length) return false;
    document.querySelectorAll("." + ACTIVE).forEach((el) => el.classList.remove(ACTIVE));
    targets.forEach((el) => el.classList.add(ACTIVE));
    scrollBoxTo(box, targets[0]);
    if (!inClassroom) shown = { href, link, at: Date.now() };
    return true;
  }

  // A chip clicked while a reply is still being written: the reply's final render replaces the source
  // view, so the highlight is put back once (within a few seconds of the click, never later).
  let shown = null;
  const REAPPLY_MS = 4000;
  new MutationObserver(() => {
    if (!shown || Date.now() - shown.at > REAPPLY_MS) return;
    const box = document.querySelector("#cp-source .cp-source-text");
    if (box && !box.querySelector("." + ACTIVE)) {
      const { href, link } = shown;
      shown = null;
      show(href, link);
    }
  }).observe(document.body, { childList: true, subtree: true });

  // ---- the Argument view: node → its span in the Source tab -----------------------------------
  const SPAN = /^#cp-span-(\d+)-(\d+)$/;
  const SPOT = "cp-spot";

  // When the debate room's source view is in a hidden tab, select that tab and call `then` once shown.
  function revealSource(then) {
    const source = document.querySelector("#cp-source");
    const button = document.querySelector("#cp-tab-source-button");
    if (!source || !button || source.offsetParent !== null) return false;
    button.click();
    let tries = 0;
    const wait = () => {
      if (source.offsetParent !== null) then();
      else if (tries++ < 40) requestAnimationFrame(wait);
    };
    requestAnimationFrame(wait);
    return true;
  }

  function clearSpots(root) {
    root.querySelectorAll("mark." + SPOT).forEach((mark) => {
      const parent = mark.parentNode;
      mark.replaceWith(...mark.childNodes);
      parent.normalize();
    });
  }

  // Wrap the characters start..end of the box's text (passage labels skipped) in <mark class="cp-spot">.
  function wrapSpan(box, start, end) {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement.closest(".cp-plabel") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const pieces = [];
    let at = 0;
    for (let node = walker.nextNode(); node && at < end; node = walker.nextNode()) {
      const length = node.data.length;
      const from = Math.max(start - at, 0);
      const to = Math.min(end - at, length);
      if (from < to) pieces.push([node, from, to]);
      at += length;
    }
    return pieces.map(([node, from, to]) => {
      const range = document.createRange();
      range.setStart(node, from);
      range.setEnd(node, to);
      const mark = document.createElement("mark");
      mark.className = `${SPOT} ${ACTIVE}`;
      range.surroundContents(mark);
      return mark;
    });
  }

  function scrollBoxTo(box, first) {
    const offset = first.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTo({ top: box.scrollTop + offset - box.clientHeight / 4, behavior: smooth() });
    const rect = box.getBoundingClientRect();
    if (rect.top > window.innerHeight - 120 || rect.bottom < 120 || rect.bottom > window.innerHeight) {
      box.scrollIntoView({ block: "nearest", behavior: smooth() }); // the whole box on screen, so the spot is
    }
  }

  function spot(href, link) {
    const m = href.match(SPAN);
    if (!m) return false;
    if (revealSource(() => spot(href, link))) return true;
    const box = document.querySelector("#cp-source .cp-source-text");
    if (!box) return false;
    document.querySelectorAll("." + ACTIVE).forEach((el) => el.classList.remove(ACTIVE));
    clearSpots(box);
    const marks = wrapSpan(box, Number(m[1]), Number(m[2]));
    if (!marks.length) return false;
    if (link && link.classList) link.classList.add(ACTIVE);
    scrollBoxTo(box, marks[0]);
    return true;
  }

  // One capturing listener for the page's in-app links: argument nodes open their span; chips and
  // section links show a passage.
  const LINKS = [
    ['a[href^="#cp-span-"]', spot],
    ['a[href^="#cite-"], a[href^="#cp-goto-"]', show],
  ];
  document.addEventListener(
    "click",
    (event) => {
      for (const [selector, open] of LINKS) {
        const link = event.target.closest && event.target.closest(selector);
        if (!link) continue;
        event.preventDefault();
        event.stopPropagation();
        open(link.getAttribute("href"), link);
        return;
      }
    },
    true,
  );

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const stop = document.querySelector("#cp-stop");
    if (stop && stop.offsetParent !== null) stop.click();
  });

  // ---- the message box's counter: length against the limit, red over it -----------------------
  // Measured as the server measures (surrounding spaces left out). Gradio empties the box after a send
  // without an input event, so the counter also follows the box on a slow timer.
  function count() {
    const counter = document.querySelector("#cp-counter");
    const box = document.querySelector("#cp-input textarea");
    if (!counter || !box) return;
    const limit = Number(counter.dataset.limit);
    const length = box.value.trim().length;
    const over = length - limit;
    const text = `${length.toLocaleString("en-US")} / ${limit.toLocaleString("en-US")}`;
    counter.textContent = over > 0 ? `${text} (${over.toLocaleString("en-US")} over)` : text;
    counter.classList.toggle("cp-over", over > 0);
  }
  document.addEventListener("input", (event) => {
    if (event.target.closest && event.target.closest("#cp-input")) count();
  });
  setInterval(count, 500);

  window.counterpoint = { show, spot };
})();
