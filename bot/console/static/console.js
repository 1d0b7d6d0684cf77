// 坐席控制台: the copilot's as-you-type analysis. No framework, nothing loaded from elsewhere.
// Everything from the server is put in the page with textContent, never as HTML.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const input = document.getElementById("caller-text");
  if (!input) return;
  const $ = (id) => document.getElementById(id);
  let timer = null, seq = 0, lastAnswer = "";

  function chip(text, title) {
    const span = document.createElement("span");
    span.className = "chip";
    span.textContent = text;
    if (title) span.title = title;
    return span;
  }

  function pct(x) { return Math.round(x * 100) + "%"; }

  async function analyse() {
    const text = input.value.trim();
    const mine = ++seq;
    if (!text) { $("copilot-result").hidden = true; $("copilot-status").textContent = ""; return; }
    $("copilot-status").textContent = "识别中…";
    let data;
    try {
      const response = await fetch("/api/copilot", {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify({text: text, region: $("region").value}),
      });
      data = await response.json();
      if (!response.ok) throw new Error(data.error || ("HTTP " + response.status));
    } catch (err) {
      if (mine === seq) $("copilot-status").textContent = "识别失败：" + err.message;
      return;
    }
    if (mine !== seq) return; // a newer keystroke's answer is on its way
    show(data, text);
  }

  function show(data, text) {
    $("copilot-status").textContent = "";
    $("copilot-result").hidden = false;
    $("intent").textContent = data.intent_label + "（" + data.intent + "）";
    $("confidence").textContent = "置信度 " + pct(data.confidence);
    $("confidence").className = data.low_confidence ? "confidence low" : "confidence";
    const warning = $("confidence-warning");
    warning.hidden = !data.low_confidence;
    warning.textContent = data.low_confidence ? "⚠ 置信度低：" + pct(data.confidence) + "，请先向来电人确认所问事项" : "";
    const alternatives = $("alternatives");
    alternatives.replaceChildren(...(data.alternatives.length ? data.alternatives.map(
      (a) => chip(a.label + " " + pct(a.confidence), a.intent)) : [document.createTextNode("无")]));
    const entities = $("entities");
    entities.replaceChildren(...(data.entities.length ? data.entities.map(
      (e) => chip(e.label + "：" + e.text, e.entity + " = " + e.value)) : [document.createTextNode("无")]));
    $("answer-box").hidden = !data.answer;
    lastAnswer = data.answer || "";
    $("answer").textContent = lastAnswer;
    $("copied").textContent = "";
    const clauses = $("clauses");
    clauses.replaceChildren(...data.clauses.map((c) => {
      const a = document.createElement("a");
      a.className = "clause-ref";
      a.href = "/api/clauses/" + encodeURIComponent(c.notice_key) + "/" + encodeURIComponent(c.clause_id);
      a.textContent = c.cite + (c.heading ? " " + c.heading : "");
      a.addEventListener("click", (event) => { event.preventDefault(); openClause(a.href); });
      return a;
    }));
    $("note").textContent = data.note || "";
    const form = $("next-step"), link = $("next-step-link");
    form.hidden = true; link.hidden = true;
    if (data.next_step) {
      const kind = data.next_step.kind;
      if (kind === "intake" || kind === "callback") {
        $("next-step-text").value = text;
        $("next-step-kind").value = kind === "callback" ? "callback" : "complaint";
        $("next-step-button").textContent = data.next_step.label;
        form.hidden = false;
      } else {
        link.href = kind === "lookup" ? "/lookup" : "/queue";
        link.textContent = data.next_step.label;
        link.hidden = false;
      }
    }
  }

  async function openClause(url) {
    const response = await fetch(url, {credentials: "same-origin"});
    const data = await response.json();
    $("clause-title").textContent = response.ok ? data.notice + " " + data.cite + " " + (data.heading || "") : "出错了";
    $("clause-text").textContent = response.ok ? data.text : data.error;
    $("clause-link").href = response.ok ? data.link : "/policies";
    $("clause-dialog").showModal();
  }

  async function copyAnswer() {
    try {
      await navigator.clipboard.writeText(lastAnswer);
    } catch (err) { // no clipboard permission: select the text and copy the old way
      const range = document.createRange();
      range.selectNodeContents($("answer"));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      document.execCommand("copy");
    }
    $("copied").textContent = "已复制";
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(analyse, 300); });
  $("region").addEventListener("change", analyse);
  $("copy-answer").addEventListener("click", copyAnswer);
})();
