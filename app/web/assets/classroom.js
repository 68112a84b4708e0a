// Classroom tab script, installed once from the round timer's js_on_load.
// The turn clock: the server renders <div class="cp-cl-timer" data-state="running" data-remaining="57.20"
// data-stamp="…">; every new stamp re-syncs the page's deadline to the server's count. When it reaches
// zero the page clicks the hidden Expire button, which submits the draft as it is (the server checks the
// time itself and refuses an early expiry). Also: the draft's live word count, Ctrl/Cmd+Enter submits.
(() => {
  if (window.counterpointClassroom) return;
  let stamp = null;
  let deadline = 0;
  let fired = false;

  const words = (text) => ((text || "").trim().match(/\S+/g) || []).length;
  const mmss = (s) => {
    const whole = Math.max(0, Math.ceil(s));
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  };

  function countWords() {
    const counter = document.querySelector("#cp-cl-timer .cp-cl-words");
    const box = document.querySelector("#cp-cl-draft textarea");
    if (!counter || !box) return;
    const limit = Number(counter.dataset.limit || 0);
    const n = words(box.value);
    const text = `${n} / ${limit} words`;
    if (counter.textContent !== text) counter.textContent = text;
    counter.classList.toggle("cp-over", limit > 0 && n > limit);
  }

  function tick() {
    countWords();
    const timer = document.querySelector("#cp-cl-timer .cp-cl-timer");
    if (!timer || timer.dataset.state !== "running") {
      stamp = null;
      return;
    }
    if (timer.dataset.stamp !== stamp) {
      stamp = timer.dataset.stamp;
      deadline = performance.now() + Number(timer.dataset.remaining) * 1000;
      fired = false;
    }
    const left = (deadline - performance.now()) / 1000;
    const total = Number(timer.dataset.total) || 1;
    const clock = timer.querySelector(".cp-cl-clock");
    if (clock) clock.textContent = mmss(left);
    const bar = timer.querySelector(".cp-cl-bar > span");
    if (bar) bar.style.width = `${Math.max(0, Math.min(100, (100 * left) / total))}%`;
    timer.classList.toggle("cp-low", left <= Math.min(10, total / 3));
    if (left <= 0 && !fired) {
      fired = true;
      timer.classList.add("cp-done");
      const expire = document.querySelector("#cp-cl-expire");
      if (expire) expire.click();
    }
  }

  setInterval(tick, 200);
  document.addEventListener(
    "input",
    (event) => {
      if (event.target.closest && event.target.closest("#cp-cl-draft")) countWords();
    },
    true,
  );
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    if (!(event.target.closest && event.target.closest("#cp-cl-draft"))) return;
    event.preventDefault();
    const submit = document.querySelector("#cp-cl-submit");
    if (submit && !submit.disabled) submit.click();
  });
  window.counterpointClassroom = { tick };
})();
