/* docparse web page: documents through the jobs API, the result beside the page.
 * Plain modern JavaScript, no framework and no build step; nothing is loaded from another
 * host (the service may run air-gapped). Text from a result is never parsed as HTML except
 * tables, which are rebuilt from an allow-list (sanitizeHtml). */
"use strict";

(() => {
  const KEY_STORE = "docparse.apiKey"; // sessionStorage: gone when the tab closes
  const JOBS_STORE = "docparse.jobs"; // sessionStorage: a reload keeps watching them
  const LANG_STORE = "docparse.lang";
  const THRESHOLD_STORE = "docparse.threshold";
  const POLL_MS = 700;
  const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
  const VLM = "paddleocr-vl";

  // ---- interface text ------------------------------------------------------------------
  const TEXT = {
    en: {
      tagline: "documents to Markdown and JSON",
      apiKey: "API key",
      apiKeyHint: "if the service asks for one",
      keySave: "Use",
      keyForget: "Forget",
      keyKept: "kept for this tab",
      keyNone: "no key",
      close: "Close",
      convertTitle: "Convert documents",
      dropHint: "Drop PDF or image files here",
      engine: "Engine",
      languages: "Languages",
      pages: "Pages",
      pagesHint: "all; e.g. 1-3,5",
      dpi: "DPI",
      dpiHint: "automatic",
      layout: "layout model on born-digital pages too",
      spotting: "text lines with positions (PaddleOCR-VL)",
      submit: "Convert",
      submitN: "Convert {n} files",
      remove: "Remove",
      jobsTitle: "Jobs",
      noJobs: "Nothing submitted yet.",
      open: "Show",
      cancel: "Cancel",
      uploading: "uploading…",
      queued: "queued",
      queuedAt: "queued, {n} in line",
      running: "running",
      succeeded: "done",
      failed: "failed",
      cancelled: "cancelled",
      refused: "not accepted",
      pagesOf: "page {done} of {total}",
      pagesDone: "{done} pages",
      failedPages: "pages that failed: {pages}",
      engineAuto: "auto (the PDF's text, OCR where there is none)",
      engineTextlayer: "the PDF's text layer only",
      engineNotConfigured: "not configured",
      engineFailed: "failed to load",
      engineNotReady: "loading",
      prevPage: "Previous page",
      nextPage: "Next page",
      page: "Page",
      pageN: "page {n} of {total}",
      showBoxes: "boxes",
      showTags: "labels",
      chooseFiles: "Choose files",
      threshold: "review below",
      wholeDocument: "whole document",
      download: "Download:",
      pdfHint: "searchable PDF",
      pageInfo: "{route} · {engine} · {blocks} blocks",
      rotated: "turned {deg}°",
      toReview: "{n} to review",
      reviewTag: "check: confidence {c}",
      fallback: "read by another engine: {why}",
      pageFailed: "This page failed: {error}",
      noPicture: "No picture of this page; the boxes are drawn on a blank page.",
      emptyPage: "Nothing was read on this page.",
      order: "reading order",
      label: "label",
      confidence: "confidence",
      errNetwork: "The service did not answer. Check that it is running and reachable.",
      errKeyMissing: "The service asks for an API key: enter it above.",
      errKeyInvalid: "The service did not accept this API key.",
      errTooLarge: "The file is larger than the service accepts.",
      errFormat: "This file type is not supported (PDF, PNG, JPEG, TIFF, WebP, BMP).",
      errInvalid: "The service refused the request",
      errBusy: "The service is busy: too many jobs are waiting. Try again in {s} s.",
      errBusyNow: "The service is busy. Try again shortly.",
      errNotFinished: "The job has not finished successfully.",
      errExpired: "The job's results have expired and are gone.",
      errNotFound: "Not found.",
      errStorage: "The service could not reach its result storage.",
      errUnavailable: "The engine is not available right now. Try again later.",
      errTimeout: "The conversion took too long and was stopped.",
      errServer: "The service failed (error {status}).",
      errOther: "The service answered with an error ({status}).",
      errUnexpected: "Something went wrong on this page",
      errBadKey: "The key can hold only Latin letters, digits and punctuation.",
    },
    ru: {
      tagline: "документы в Markdown и JSON",
      apiKey: "API-ключ",
      apiKeyHint: "если сервис его требует",
      keySave: "Применить",
      keyForget: "Забыть",
      keyKept: "сохранён для этой вкладки",
      keyNone: "без ключа",
      close: "Закрыть",
      convertTitle: "Распознать документы",
      dropHint: "Перетащите сюда PDF или изображения",
      engine: "Движок",
      languages: "Языки",
      pages: "Страницы",
      pagesHint: "все; например 1-3,5",
      dpi: "DPI",
      dpiHint: "автоматически",
      layout: "модель разметки и для цифровых PDF",
      spotting: "строки с координатами (PaddleOCR-VL)",
      submit: "Распознать",
      submitN: "Распознать файлы: {n}",
      remove: "Убрать",
      jobsTitle: "Задания",
      noJobs: "Пока ничего не отправлено.",
      open: "Показать",
      cancel: "Отменить",
      uploading: "загрузка…",
      queued: "в очереди",
      queuedAt: "в очереди, {n}-е",
      running: "распознаётся",
      succeeded: "готово",
      failed: "ошибка",
      cancelled: "отменено",
      refused: "не принято",
      pagesOf: "страница {done} из {total}",
      pagesDone: "страниц: {done}",
      failedPages: "страницы с ошибкой: {pages}",
      engineAuto: "авто (текст PDF, OCR где его нет)",
      engineTextlayer: "только текстовый слой PDF",
      engineNotConfigured: "не настроен",
      engineFailed: "не загрузился",
      engineNotReady: "загружается",
      prevPage: "Предыдущая страница",
      nextPage: "Следующая страница",
      page: "Страница",
      pageN: "страница {n} из {total}",
      showBoxes: "рамки",
      showTags: "подписи",
      chooseFiles: "Выбрать файлы",
      threshold: "проверить ниже",
      wholeDocument: "весь документ",
      download: "Скачать:",
      pdfHint: "PDF с текстовым слоем",
      pageInfo: "{route} · {engine} · блоков: {blocks}",
      rotated: "повёрнута на {deg}°",
      toReview: "на проверку: {n}",
      reviewTag: "проверить: уверенность {c}",
      fallback: "прочитана другим движком: {why}",
      pageFailed: "Страница не распознана: {error}",
      noPicture: "Изображения страницы нет; рамки показаны на пустой странице.",
      emptyPage: "На странице ничего не найдено.",
      order: "порядок чтения",
      label: "метка",
      confidence: "уверенность",
      errNetwork: "Сервис не отвечает. Проверьте, что он запущен и доступен.",
      errKeyMissing: "Сервис требует API-ключ: введите его вверху страницы.",
      errKeyInvalid: "Сервис не принял этот API-ключ.",
      errTooLarge: "Файл больше, чем принимает сервис.",
      errFormat: "Этот тип файла не поддерживается (PDF, PNG, JPEG, TIFF, WebP, BMP).",
      errInvalid: "Сервис отклонил запрос",
      errBusy: "Сервис занят: в очереди слишком много заданий. Повторите через {s} с.",
      errBusyNow: "Сервис занят. Повторите чуть позже.",
      errNotFinished: "Задание не завершилось успешно.",
      errExpired: "Срок хранения результатов истёк, они удалены.",
      errNotFound: "Не найдено.",
      errStorage: "Сервис не смог обратиться к хранилищу результатов.",
      errUnavailable: "Движок сейчас недоступен. Повторите позже.",
      errTimeout: "Распознавание заняло слишком много времени и было остановлено.",
      errServer: "Ошибка сервиса (код {status}).",
      errOther: "Сервис ответил ошибкой (код {status}).",
      errUnexpected: "Ошибка на странице",
      errBadKey: "Ключ может содержать только латинские буквы, цифры и знаки.",
    },
  };

  function pickLanguage() {
    const kept = localStorage.getItem(LANG_STORE);
    if (kept in TEXT) return kept;
    return (navigator.language || "").toLowerCase().startsWith("ru") ? "ru" : "en";
  }

  let lang = pickLanguage();

  function t(key, vars = {}) {
    const text = TEXT[lang][key] ?? TEXT.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
  }

  // ---- small DOM helpers ---------------------------------------------------------------
  const $ = (id) => document.getElementById(id);

  /** An element with properties and children; text children become text nodes. */
  function h(tag, props = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") element.className = value;
      else if (name === "dataset") Object.assign(element.dataset, value);
      else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else if (name in element) element[name] = value;
      else element.setAttribute(name, value);
    }
    element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
    return element;
  }

  // ---- the API -------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, code, message, retryAfter, details) {
      super(message || `HTTP ${status}`);
      this.status = status;
      this.code = code;
      this.serverMessage = message;
      this.retryAfter = retryAfter;
      this.details = details;
    }
  }

  function apiKey() {
    return sessionStorage.getItem(KEY_STORE) || "";
  }

  /** fetch relative to the page (a proxy prefix is kept), the key sent as the service
   * expects it (api/auth.py: X-API-Key); an answer that is not 2xx is an ApiError. */
  async function api(path, options = {}) {
    const headers = new Headers(options.headers || {});
    const key = apiKey();
    if (key) headers.set("X-API-Key", key);
    let response;
    try {
      response = await fetch(path, { ...options, headers, cache: "no-store" });
    } catch (error) {
      throw new ApiError(0, "network", String(error));
    }
    if (!response.ok) throw await apiError(response);
    return response;
  }

  async function apiError(response) {
    let error = {};
    try {
      const body = await response.json();
      error = (body && body.error) || {};
    } catch {
      // not the service's JSON (a proxy's page): the status says enough
    }
    return new ApiError(
      response.status,
      error.code || "",
      typeof error.message === "string" ? error.message : "",
      response.headers.get("Retry-After"),
      error.details,
    );
  }

  /** An error in plain words, in the interface's language; the service's own message
   * (English) after it, as it says exactly what was wrong. */
  function explain(error) {
    if (!(error instanceof ApiError)) return `${t("errUnexpected")}: ${error && error.message}`;
    const status = error.status;
    let plain;
    if (status === 0) return t("errNetwork");
    if (status === 401) return apiKey() ? t("errKeyInvalid") : t("errKeyMissing");
    if (status === 413) plain = t("errTooLarge");
    else if (status === 415) plain = t("errFormat");
    else if (status === 422) {
      const field = (d) => String(d.field).replace(/^(body|query|path)\./, "");
      const problems = Array.isArray(error.details)
        ? error.details.map((d) => `${field(d)}: ${d.problem}`)
        : [];
      return `${t("errInvalid")}: ${problems.join("; ") || error.serverMessage}`;
    } else if (status === 429) {
      plain = error.retryAfter ? t("errBusy", { s: error.retryAfter }) : t("errBusyNow");
    } else if (status === 409) plain = t("errNotFinished");
    else if (status === 410) plain = t("errExpired");
    else if (status === 404) plain = t("errNotFound");
    else if (status === 502) plain = t("errStorage");
    else if (status === 503) plain = t("errUnavailable");
    else if (status === 504) plain = t("errTimeout");
    else if (status >= 500) plain = t("errServer", { status });
    else plain = t("errOther", { status });
    return error.serverMessage ? `${plain}\n${error.serverMessage}` : plain;
  }

  let noticeError = null; // kept so a language switch says it again in the new language

  function notify(error) {
    noticeError = error;
    $("notice-text").textContent = typeof error === "string" ? error : explain(error);
    $("notice").hidden = false;
    if (error instanceof ApiError && error.status === 401) $("api-key").focus();
  }

  function clearNotice() {
    noticeError = null;
    $("notice").hidden = true;
  }

  // ---- Markdown to HTML, safely ------------------------------------------------------
  // Block level: headings, paragraphs, lists, pipe tables, HTML tables (sanitised),
  // $$ formulas $$ and code fences (as text), figures. Inline: `code`, **bold**, *em*,
  // images; a link shows its text. Every other character is text, never markup.

  const TABLE_TAGS = new Set([
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "br", "b", "strong", "i", "em", "sub", "sup", "p",
  ]);
  // Dropped with everything inside: their content is not text a reader should see.
  const DROPPED = new Set([
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
    "textarea", "select", "head", "title",
  ]);

  /** HTML from a result (a table) rebuilt from an allow-list: only table elements and
   * simple formatting, only numeric colspan/rowspan; everything else becomes its text.
   * DOMParser's document is inert: nothing in it runs or loads. */
  function sanitizeHtml(html) {
    const parsed = new DOMParser().parseFromString(String(html), "text/html");
    const out = document.createDocumentFragment();
    const copy = (node, parent, depth) => {
      if (depth > 64) return;
      if (node.nodeType === Node.TEXT_NODE) {
        parent.append(document.createTextNode(node.data));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) return; // comments, processing instructions
      const name = node.localName;
      if (DROPPED.has(name)) return;
      let target = parent;
      if (TABLE_TAGS.has(name)) {
        target = document.createElement(name);
        for (const attribute of ["colspan", "rowspan"]) {
          const value = node.getAttribute(attribute);
          if (value && /^\d{1,3}$/.test(value)) target.setAttribute(attribute, value);
        }
        parent.append(target);
      }
      for (const child of node.childNodes) copy(child, target, depth + 1);
    };
    for (const child of parsed.body.childNodes) copy(child, out, 0);
    return out;
  }

  // A figure of the job: only its own files, never a URL to elsewhere.
  const FIGURE_PATH = /^images\/[\w\-./]+\.(png|jpe?g|webp)$/i;

  function figure(alt, src) {
    if (!FIGURE_PATH.test(src) || src.split("/").includes("..")) {
      return document.createTextNode(alt ? `[${alt}]` : "");
    }
    // Filled in from the job's files once loaded (the key goes with the request).
    return h("img", { alt, title: alt, class: "figure", dataset: { figure: src } });
  }

  const TARGET = "((?:[^()\\s]|\\([^()\\s]*\\))+)"; // a URL, one level of (…) in it
  const INLINE = new RegExp(
    [
      "(`+)([^`]+?)\\1", // 1, 2: code
      "\\*\\*(\\S(?:[^*]*?\\S)?)\\*\\*", // 3: bold
      "\\*(\\S(?:[^*]*?\\S)?)\\*", // 4: emphasis
      `!\\[([^\\]]*)\\]\\(${TARGET}\\)`, // 5, 6: image
      `\\[([^\\]]+)\\]\\(${TARGET}\\)`, // 7, 8: link (its text only)
    ].join("|"),
    "g",
  );

  function inline(text) {
    const out = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(INLINE)) {
      if (match.index > last) out.append(text.slice(last, match.index));
      if (match[2] !== undefined) out.append(h("code", {}, match[2]));
      else if (match[3] !== undefined) out.append(h("strong", {}, inline(match[3])));
      else if (match[4] !== undefined) out.append(h("em", {}, inline(match[4])));
      else if (match[6] !== undefined) out.append(figure(match[5], match[6]));
      else out.append(inline(match[7]));
      last = match.index + match[0].length;
    }
    if (last < text.length) out.append(text.slice(last));
    return out;
  }

  const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
  const LIST_ITEM = /^\s{0,3}([-*+]|\d{1,9}[.)])\s+(.*)$/;
  const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
  const FENCE = /^\s*(```|~~~)/;
  const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
  const IMAGE_LINE = /^!\[([^\]]*)\]\(([^)\s]+)\)\s*$/;
  const COMMENT = /^<!--([\s\S]*?)-->$/;

  function cells(row) {
    let line = row.trim();
    if (line.startsWith("|")) line = line.slice(1);
    if (line.endsWith("|") && !line.endsWith("\\|")) line = line.slice(0, -1);
    return line.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
  }

  function pipeTable(lines) {
    const head = cells(lines[0]);
    const align = cells(lines[1]).map((c) =>
      c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : "",
    );
    const row = (values, tag) =>
      h(
        "tr",
        {},
        head.map((_, i) => {
          const cell = h(tag, {}, inline(values[i] ?? ""));
          if (align[i]) cell.setAttribute("align", align[i]); // not a style: the CSP allows it
          return cell;
        }),
      );
    return h(
      "table",
      {},
      h("thead", {}, row(head, "th")),
      h("tbody", {}, lines.slice(2).map((line) => row(cells(line), "td"))),
    );
  }

  function startsBlock(line, next) {
    return (
      HEADING.test(line) ||
      LIST_ITEM.test(line) ||
      FENCE.test(line) ||
      RULE.test(line) ||
      line.trim() === "$$" ||
      /^\s*<(table|!--)/i.test(line) ||
      (line.includes("|") && next !== undefined && TABLE_RULE.test(next) && next.includes("-"))
    );
  }

  /** Markdown as a DocumentFragment built node by node: nothing is ever set as HTML. */
  function renderMarkdown(markdown) {
    const lines = String(markdown).replace(/\r\n?/g, "\n").split("\n");
    const out = document.createDocumentFragment();
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      const next = lines[i + 1];
      if (!line.trim()) {
        i += 1;
        continue;
      }
      if (/^\s*<!--/.test(line)) {
        // A comment: a page that failed says so in one ("<!-- page 3 failed: … -->").
        const start = i;
        while (i < lines.length && !lines[i].includes("-->")) i += 1;
        const comment = lines.slice(start, i + 1).join("\n").trim();
        i += 1;
        const match = COMMENT.exec(comment);
        if (match && /^\s*page \d+ failed/.test(match[1])) {
          out.append(h("p", { class: "note" }, match[1].trim()));
        }
        continue;
      }
      if (/^\s*<table/i.test(line)) {
        const start = i;
        while (i < lines.length && !/<\/table>/i.test(lines[i])) i += 1;
        out.append(sanitizeHtml(lines.slice(start, i + 1).join("\n")));
        i += 1;
        continue;
      }
      if (line.trim() === "$$" || FENCE.test(line)) {
        const fence = line.trim() === "$$" ? "$$" : line.trim().slice(0, 3);
        const start = i + 1;
        i = start;
        while (i < lines.length && !lines[i].trim().startsWith(fence)) i += 1;
        const body = lines.slice(start, i).join("\n");
        out.append(h("pre", { class: fence === "$$" ? "formula" : "code" }, h("code", {}, body)));
        i += 1;
        continue;
      }
      const heading = HEADING.exec(line);
      if (heading) {
        out.append(h(`h${heading[1].length}`, {}, inline(heading[2])));
        i += 1;
        continue;
      }
      if (RULE.test(line)) {
        out.append(h("hr"));
        i += 1;
        continue;
      }
      if (line.includes("|") && next !== undefined && TABLE_RULE.test(next) && next.includes("-")) {
        const start = i;
        i += 2;
        while (i < lines.length && lines[i].includes("|") && lines[i].trim()) i += 1;
        out.append(pipeTable(lines.slice(start, i)));
        continue;
      }
      const item = LIST_ITEM.exec(line);
      if (item) {
        const ordered = /\d/.test(item[1]);
        const list = h(ordered ? "ol" : "ul");
        if (ordered && parseInt(item[1], 10) !== 1) list.start = parseInt(item[1], 10);
        while (i < lines.length) {
          const match = LIST_ITEM.exec(lines[i]);
          if (!match || /\d/.test(match[1]) !== ordered) break;
          let text = match[2];
          i += 1;
          // continuation lines, indented, belong to the item
          while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !LIST_ITEM.test(lines[i])) {
            text += ` ${lines[i].trim()}`;
            i += 1;
          }
          list.append(h("li", {}, inline(text)));
        }
        out.append(list);
        continue;
      }
      const image = IMAGE_LINE.exec(line);
      if (image) {
        out.append(h("figure", {}, figure(image[1], image[2])));
        i += 1;
        continue;
      }
      const start = i;
      i += 1;
      while (i < lines.length && lines[i].trim() && !startsBlock(lines[i], lines[i + 1])) i += 1;
      out.append(h("p", {}, inline(lines.slice(start, i).map((l) => l.trim()).join(" "))));
    }
    return out;
  }

  // ---- a zip, read in the browser (the job's figures) ---------------------------------
  /** The entries of a zip (stored or deflated; what the service's result zip holds). */
  async function readZip(buffer) {
    const view = new DataView(buffer);
    let end = -1;
    for (let at = buffer.byteLength - 22; at >= Math.max(0, buffer.byteLength - 65557); at -= 1) {
      if (view.getUint32(at, true) === 0x06054b50) {
        end = at;
        break;
      }
    }
    if (end < 0) throw new Error("not a zip file");
    const count = view.getUint16(end + 10, true);
    let at = view.getUint32(end + 16, true);
    const names = new TextDecoder();
    const files = new Map();
    for (let n = 0; n < count; n += 1) {
      if (view.getUint32(at, true) !== 0x02014b50) throw new Error("damaged zip file");
      const method = view.getUint16(at + 10, true);
      const size = view.getUint32(at + 20, true);
      const nameLength = view.getUint16(at + 28, true);
      const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
      const local = view.getUint32(at + 42, true);
      const name = names.decode(new Uint8Array(buffer, at + 46, nameLength));
      at += 46 + skip;
      const data = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      const bytes = new Uint8Array(buffer, data, size);
      if (method === 0) files.set(name, bytes);
      else if (method === 8) {
        const inflate = new DecompressionStream("deflate-raw");
        const stream = new Blob([bytes]).stream().pipeThrough(inflate);
        files.set(name, new Uint8Array(await new Response(stream).arrayBuffer()));
      }
    }
    return files;
  }

  // ---- state ---------------------------------------------------------------------------
  let picked = []; // files chosen, not yet submitted
  const jobs = new Map(); // local id -> job entry
  let current = null; // the job shown
  let pageIndex = 0;
  let localIds = 0;

  function threshold() {
    const value = Number($("threshold").value);
    return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) / 100 : 0.8;
  }

  function saveJobs() {
    const kept = [...jobs.values()]
      .filter((job) => job.id)
      .map((job) => ({ id: job.id, name: job.name }));
    sessionStorage.setItem(JOBS_STORE, JSON.stringify(kept));
  }

  // ---- language ------------------------------------------------------------------------
  function applyLanguage() {
    document.documentElement.lang = lang;
    for (const element of document.querySelectorAll("[data-i18n]")) {
      element.textContent = t(element.dataset.i18n);
    }
    for (const element of document.querySelectorAll("[data-i18n-placeholder]")) {
      element.placeholder = t(element.dataset.i18nPlaceholder);
    }
    for (const element of document.querySelectorAll("[data-i18n-title]")) {
      element.title = t(element.dataset.i18nTitle);
    }
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
    }
    showKeyState();
    renderPicked();
    renderEngines();
    for (const job of jobs.values()) renderJob(job);
    if (current) showPage(pageIndex);
    if (noticeError) notify(noticeError);
  }

  function setLanguage(next) {
    if (!(next in TEXT)) return;
    lang = next;
    localStorage.setItem(LANG_STORE, next);
    applyLanguage();
  }

  // ---- the key -------------------------------------------------------------------------
  function showKeyState() {
    $("key-state").textContent = apiKey() ? t("keyKept") : t("keyNone");
    $("key-forget").disabled = !apiKey();
  }

  function saveKey(event) {
    event.preventDefault();
    const key = $("api-key").value.trim();
    // A header carries Latin-1 only; say so rather than fail on every call.
    if (!/^[\x21-\x7e]*$/.test(key)) {
      notify(t("errBadKey"));
      return;
    }
    if (key) sessionStorage.setItem(KEY_STORE, key);
    else sessionStorage.removeItem(KEY_STORE);
    $("api-key").value = "";
    showKeyState();
    clearNotice();
    start();
  }

  function forgetKey() {
    sessionStorage.removeItem(KEY_STORE);
    showKeyState();
  }

  // ---- engines -------------------------------------------------------------------------
  let engines = null; // {routes, states, languages}

  async function loadEngines() {
    const version = await (await api("version")).json();
    const found = { routes: version.routes || [], states: {}, languages: "" };
    try {
      const health = await (await api("health")).json();
      found.states = health.engines || {};
      const tesseract = found.states.tesseract;
      found.languages = (tesseract && tesseract.detail && tesseract.detail.languages) || "";
    } catch {
      // the engines' states are a nicety: every route is offered without them
    }
    engines = found;
    renderEngines();
  }

  function renderEngines() {
    const select = $("engine");
    if (!engines) {
      select.disabled = true;
      return;
    }
    const chosen = select.value || "auto";
    select.replaceChildren(
      ...engines.routes.map((route) => {
        const state = engines.states[route] && engines.states[route].state;
        let name = route;
        if (route === "auto") name = t("engineAuto");
        else if (route === "textlayer") name = t("engineTextlayer");
        const note = {
          not_configured: t("engineNotConfigured"),
          failed: t("engineFailed"),
          loading: t("engineNotReady"),
        }[state];
        return h(
          "option",
          { value: route, disabled: state === "not_configured" },
          note ? `${name} — ${note}` : name,
        );
      }),
    );
    select.value = engines.routes.includes(chosen) ? chosen : "auto";
    select.disabled = false;
    if (!$("languages").value && engines.languages) $("languages").placeholder = engines.languages;
    $("spotting").disabled = select.value !== VLM;
    updateSubmit();
  }

  // ---- files and submission ------------------------------------------------------------
  function pick(files) {
    picked.push(...files);
    renderPicked();
  }

  function renderPicked() {
    $("picked").replaceChildren(
      ...picked.map((file, index) =>
        h(
          "li",
          {},
          h("span", { title: file.name }, file.name),
          h(
            "button",
            {
              type: "button",
              class: "plain",
              title: t("remove"),
              onclick: () => {
                picked.splice(index, 1);
                renderPicked();
              },
            },
            "×",
          ),
        ),
      ),
    );
    updateSubmit();
  }

  function updateSubmit() {
    const button = $("submit");
    button.disabled = !picked.length || !engines;
    button.textContent = picked.length > 1 ? t("submitN", { n: picked.length }) : t("submit");
  }

  function formFor(file) {
    const form = new FormData();
    form.append("file", file, file.name);
    const engine = $("engine").value;
    if (engine && engine !== "auto") form.append("engine", engine);
    const languages = $("languages").value.trim();
    if (languages) form.append("languages", languages);
    const pages = $("pages").value.trim();
    if (pages) form.append("pages", pages);
    const dpi = $("dpi").value.trim();
    if (dpi) form.append("dpi", dpi);
    if ($("layout").checked) form.append("layout", "true");
    if ($("spotting").checked && engine === VLM) form.append("spotting", "true");
    return form;
  }

  async function submitAll() {
    const files = picked;
    picked = [];
    renderPicked();
    $("files").value = "";
    // One job per file, sent one after another: the service's queue orders them.
    for (const file of files) {
      const job = addJob({ name: file.name, state: "uploading" });
      try {
        const response = await api("v1/jobs", { method: "POST", body: formFor(file) });
        const accepted = await response.json();
        job.id = accepted.id;
        job.state = "queued";
        saveJobs();
        renderJob(job);
        watch(job);
      } catch (error) {
        job.state = "refused";
        job.error = error;
        renderJob(job);
        if (error instanceof ApiError && error.status === 401) notify(error);
      }
    }
  }

  // ---- jobs ----------------------------------------------------------------------------
  function addJob(fields) {
    localIds += 1;
    const job = {
      local: localIds,
      id: null,
      name: "",
      state: "queued",
      pagesDone: 0,
      pagesTotal: null,
      queuePosition: null,
      failedPages: [],
      error: null,
      document: null,
      markdown: null,
      pictures: new Map(), // page number -> blob URL
      figures: null, // a Promise of Map(path -> blob URL)
      element: h("li"),
      ...fields,
    };
    jobs.set(job.local, job);
    $("jobs").prepend(job.element);
    $("no-jobs").hidden = true;
    renderJob(job);
    return job;
  }

  function renderJob(job) {
    const stateText =
      job.state === "queued" && job.queuePosition
        ? t("queuedAt", { n: job.queuePosition })
        : t(job.state);
    let progress = null;
    if (job.state === "running" || job.state === "succeeded") {
      const total = job.pagesTotal || 0;
      progress = h("progress", {
        max: Math.max(total, 1),
        value: Math.min(job.pagesDone, total || 1),
      });
      if (!total) progress.removeAttribute("value"); // not known yet: an indeterminate bar
    } else if (job.state === "uploading") {
      progress = h("progress");
    }
    const count = job.pagesTotal
      ? t("pagesOf", { done: job.pagesDone, total: job.pagesTotal })
      : job.pagesDone
        ? t("pagesDone", { done: job.pagesDone })
        : "";
    const actions = h("div", { class: "actions" });
    if (job.state === "succeeded") {
      const open = () => openJob(job);
      actions.append(h("button", { type: "button", class: "open", onclick: open }, t("open")));
    }
    if (job.id && (job.state === "queued" || job.state === "running")) {
      const cancel = () => cancelJob(job);
      actions.append(h("button", { type: "button", class: "cancel", onclick: cancel }, t("cancel")));
    }
    job.element.className = `job${job === current ? " current" : ""}`;
    job.element.dataset.state = job.state;
    const failed = job.failedPages.map((p) => p.page).join(", ");
    const error = typeof job.error === "string" ? job.error : job.error && explain(job.error);
    const parts = [
      h("div", { class: "name", title: job.id || "" }, job.name),
      h(
        "div",
        { class: "row" },
        h("span", { class: `state state-${job.state}` }, stateText),
        progress,
        h("span", { class: "count" }, count),
      ),
      failed && h("div", { class: "error" }, t("failedPages", { pages: failed })),
      error && h("div", { class: "error" }, error),
      actions.childNodes.length && actions,
    ];
    job.element.replaceChildren(...parts.filter(Boolean));
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function watch(job) {
    if (job.watching) return;
    job.watching = true;
    try {
      while (!FINISHED.has(job.state)) {
        try {
          const status = await (await api(`v1/jobs/${encodeURIComponent(job.id)}`)).json();
          job.state = status.state;
          job.pagesDone = status.pages_done || 0;
          job.pagesTotal = status.pages_total || null;
          job.queuePosition = status.queue_position || null;
          job.failedPages = status.failed_pages || [];
          job.error = status.error ? `${status.error.message}` : null;
          renderJob(job);
        } catch (error) {
          job.error = error;
          renderJob(job);
          // Gone or refused: no use asking again. A network blip: ask again.
          if (error instanceof ApiError && [401, 404, 410].includes(error.status)) {
            if (error.status === 401) notify(error);
            return;
          }
        }
        if (!FINISHED.has(job.state)) await sleep(POLL_MS);
      }
      if (job.state === "succeeded" && !current) await openJob(job);
    } finally {
      job.watching = false;
    }
  }

  async function cancelJob(job) {
    try {
      const path = `v1/jobs/${encodeURIComponent(job.id)}`;
      const removed = await (await api(path, { method: "DELETE" })).json();
      job.state = removed.state;
      renderJob(job);
    } catch (error) {
      notify(error);
    }
  }

  // ---- the viewer ----------------------------------------------------------------------
  async function openJob(job) {
    try {
      const base = `v1/jobs/${encodeURIComponent(job.id)}/result`;
      if (!job.document) job.document = await (await api(`${base}?format=json`)).json();
      if (job.markdown === null) job.markdown = await (await api(`${base}?format=md`)).text();
    } catch (error) {
      notify(error);
      return;
    }
    const previous = current;
    current = job;
    if (previous) renderJob(previous);
    renderJob(job);
    pageIndex = 0;
    $("viewer").hidden = false;
    $("doc-name").textContent = job.name;
    showPage(0);
  }

  const KINDS = {
    doc_title: "title",
    paragraph_title: "title",
    table: "table",
    image: "figure",
    chart: "figure",
    seal: "figure",
    display_formula: "formula",
    inline_formula: "formula",
    formula_number: "formula",
    algorithm: "formula",
    header: "furniture",
    footer: "furniture",
    number: "furniture",
    header_image: "furniture",
    footer_image: "furniture",
    aside_text: "furniture",
    footnote: "note",
    vision_footnote: "note",
    figure_title: "caption",
  };
  // Left out of the Markdown, as export/markdown.py leaves them (they stay in the JSON).
  const FURNITURE = new Set([
    "header", "footer", "number", "header_image", "footer_image", "aside_text",
  ]);

  function blockText(block) {
    // Lines joined as the exporter joins them: a hyphen at a line's end before a
    // lowercase letter was a word broken in two.
    const lines = block.lines && block.lines.length
      ? block.lines.map((l) => l.text)
      : String(block.text || "").split("\n");
    let text = "";
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      if (/[\p{L}]-$/u.test(text) && /^\p{Ll}/u.test(line)) text = text.slice(0, -1) + line;
      else text = text ? `${text} ${line}` : line;
    }
    return text;
  }

  /** A block as the Markdown export writes it (export/markdown.py). */
  function blockMarkdown(block) {
    if (block.label === "table" && block.html) return block.html;
    if (block.label === "display_formula" && block.latex) return `$$\n${block.latex}\n$$`;
    if (block.image && !block.text) return `![${block.label}](${block.image})`;
    if (block.label === "table" && block.text) return block.text; // a pipe table
    const text = blockText(block);
    if (!text) return "";
    return ({ doc_title: "# ", paragraph_title: "## " }[block.label] || "") + text;
  }

  function percent(confidence) {
    if (confidence === null || confidence === undefined) return "—";
    return `${Math.round(confidence * 100)}%`;
  }

  function needsReview(block) {
    return typeof block.confidence === "number" && block.confidence < threshold();
  }

  async function pagePicture(job, number) {
    if (!job.pictures.has(number)) {
      const promise = api(`v1/jobs/${encodeURIComponent(job.id)}/pages/${number}`)
        .then((response) => response.blob())
        .then((blob) => URL.createObjectURL(blob));
      job.pictures.set(number, promise);
      promise.catch(() => job.pictures.delete(number)); // asked again next time
    }
    return job.pictures.get(number);
  }

  async function jobFigures(job) {
    if (!job.figures) {
      job.figures = (async () => {
        const response = await api(`v1/jobs/${encodeURIComponent(job.id)}/result?format=zip`);
        const files = await readZip(await response.arrayBuffer());
        const urls = new Map();
        for (const [name, bytes] of files) {
          if (!FIGURE_PATH.test(name)) continue;
          const type = name.toLowerCase().endsWith(".png") ? "image/png" : "image/jpeg";
          urls.set(name, URL.createObjectURL(new Blob([bytes], { type })));
        }
        return urls;
      })();
      job.figures.catch(() => {
        job.figures = null;
      });
    }
    return job.figures;
  }

  async function fillFigures(job, container) {
    const images = container.querySelectorAll("img[data-figure]");
    if (!images.length) return;
    try {
      const urls = await jobFigures(job);
      for (const image of images) {
        const url = urls.get(image.dataset.figure);
        if (url) image.src = url;
      }
    } catch (error) {
      notify(error);
    }
  }

  function showPage(index) {
    const job = current;
    const doc = job.document;
    const pages = doc.pages || [];
    pageIndex = Math.max(0, Math.min(index, pages.length - 1));
    const page = pages[pageIndex];
    const number = pageIndex + 1;

    const select = $("page-select");
    select.replaceChildren(
      ...pages.map((_, i) =>
        h("option", { value: String(i) }, t("pageN", { n: i + 1, total: pages.length })),
      ),
    );
    select.value = String(pageIndex);
    $("prev").disabled = pageIndex === 0;
    $("next").disabled = pageIndex >= pages.length - 1;
    if (!page) {
      $("boxes").replaceChildren();
      $("rendered").replaceChildren(renderMarkdown(job.markdown || ""));
      return;
    }

    const blocks = [...(page.blocks || [])].sort((a, b) => a.order - b.order);
    const review = blocks.filter(needsReview);
    const info = [
      t("pageInfo", { route: page.route || "—", engine: page.engine || "—", blocks: blocks.length }),
    ];
    if (page.rotation) info.push(t("rotated", { deg: page.rotation }));
    if (review.length) info.push(t("toReview", { n: review.length }));
    if (page.fallback) info.push(t("fallback", { why: page.fallback }));
    $("page-info").textContent = info.join(" · ");

    // The frame takes the page's proportions, so the boxes fit with or without a picture.
    const frame = $("page-frame");
    frame.style.aspectRatio = `${page.width} / ${page.height}`;
    drawBoxes(page, blocks);

    const image = $("page-image");
    const note = $("page-note");
    note.hidden = true;
    image.classList.add("missing");
    image.removeAttribute("src");
    if (page.status === "failed") {
      note.textContent = t("pageFailed", { error: page.error || "" });
      note.hidden = false;
    } else {
      pagePicture(job, number).then(
        (url) => {
          if (current !== job || pageIndex !== number - 1) return;
          image.src = url;
          image.alt = t("pageN", { n: number, total: pages.length });
          image.classList.remove("missing");
        },
        (error) => {
          if (current !== job || pageIndex !== number - 1) return;
          const gone = error instanceof ApiError && error.status === 404;
          note.textContent = gone ? t("noPicture") : explain(error);
          note.hidden = false;
        },
      );
    }

    const rendered = $("rendered");
    if ($("whole").checked) {
      rendered.replaceChildren(renderMarkdown(job.markdown || ""));
    } else {
      const parts = blocks
        .filter((block) => !FURNITURE.has(block.label))
        .map((block) => {
          const markdown = blockMarkdown(block);
          if (!markdown) return null;
          // A table's HTML whatever it starts with (the VLM's may not start with <table>).
          const body =
            block.label === "table" && block.html ? sanitizeHtml(block.html) : renderMarkdown(markdown);
          const dataset = { block: block.id, kind: KINDS[block.label] || "text" };
          const part = h("div", { class: "block", dataset }, body);
          if (needsReview(block)) {
            part.classList.add("review");
            part.dataset.review = t("reviewTag", { c: percent(block.confidence) });
          }
          part.addEventListener("mouseenter", () => highlight(block.id, true));
          part.addEventListener("mouseleave", () => highlight(block.id, false));
          return part;
        })
        .filter(Boolean);
      if (page.status === "failed") {
        parts.unshift(h("p", { class: "note" }, t("pageFailed", { error: page.error || "" })));
      } else if (!parts.length) {
        parts.push(h("p", { class: "muted" }, t("emptyPage")));
      }
      rendered.replaceChildren(...parts);
    }
    fillFigures(job, rendered);
  }

  function drawBoxes(page, blocks) {
    const layer = $("boxes");
    layer.classList.toggle("off", !$("show-boxes").checked);
    layer.classList.toggle("bare", !$("show-tags").checked);
    const width = page.width || 1;
    const height = page.height || 1;
    const clamp = (v) => Math.min(100, Math.max(0, v));
    layer.replaceChildren(
      ...blocks.map((block) => {
        const b = block.bbox;
        const engine = block.source_engine || page.engine || "";
        const confidence = percent(block.confidence);
        const tag = [block.order + 1, block.label, engine, confidence].filter(Boolean).join(" · ");
        const box = h(
          "div",
          {
            class: `box${needsReview(block) ? " review" : ""}`,
            title: [
              `${t("order")}: ${block.order + 1}`,
              `${t("label")}: ${block.label}`,
              engine,
              `${t("confidence")}: ${confidence}`,
            ].join("\n"),
            dataset: {
              block: block.id,
              kind: KINDS[block.label] || "text",
              label: block.label,
              order: String(block.order),
            },
          },
          h("span", { class: "tag" }, needsReview(block) ? `⚠ ${tag}` : tag),
        );
        // Percentages of the page: the picture's scale does not matter.
        box.style.left = `${clamp((b.x0 / width) * 100)}%`;
        box.style.top = `${clamp((b.y0 / height) * 100)}%`;
        box.style.width = `${clamp(((b.x1 - b.x0) / width) * 100)}%`;
        box.style.height = `${clamp(((b.y1 - b.y0) / height) * 100)}%`;
        box.addEventListener("mouseenter", () => highlight(block.id, true));
        box.addEventListener("mouseleave", () => highlight(block.id, false));
        box.addEventListener("click", () => {
          const part = $("rendered").querySelector(`[data-block="${CSS.escape(block.id)}"]`);
          if (part) part.scrollIntoView({ block: "nearest", behavior: "smooth" });
        });
        return box;
      }),
    );
  }

  function highlight(id, on) {
    for (const element of document.querySelectorAll(`[data-block="${CSS.escape(id)}"]`)) {
      element.classList.toggle("hot", on);
    }
  }

  function filenameFrom(disposition) {
    if (!disposition) return "";
    const encoded = /filename\*=utf-8''([^;]+)/i.exec(disposition);
    if (encoded) {
      try {
        return decodeURIComponent(encoded[1]);
      } catch {
        // fall through to the plain name
      }
    }
    const plain = /filename="([^"]+)"/i.exec(disposition);
    return plain ? plain[1] : "";
  }

  async function download(format) {
    const job = current;
    if (!job) return;
    try {
      const response = await api(`v1/jobs/${encodeURIComponent(job.id)}/result?format=${format}`);
      const blob = await response.blob();
      const stem = job.name.replace(/\.[^.]+$/, "") || job.id;
      const name = filenameFrom(response.headers.get("Content-Disposition")) || `${stem}.${format}`;
      // A blob link: a plain link would go without the key.
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      notify(error);
    }
  }

  // ---- start ---------------------------------------------------------------------------
  async function start() {
    try {
      await loadEngines();
    } catch (error) {
      notify(error);
      return;
    }
    for (const job of jobs.values()) {
      if (job.id && !FINISHED.has(job.state)) watch(job);
    }
  }

  function restoreJobs() {
    let kept = [];
    try {
      kept = JSON.parse(sessionStorage.getItem(JOBS_STORE) || "[]");
    } catch {
      kept = [];
    }
    for (const { id, name } of kept.reverse()) {
      if (typeof id === "string" && /^[\w-]+$/.test(id)) {
        addJob({ id, name: String(name || id), state: "queued" });
      }
    }
  }

  function wire() {
    $("key-form").addEventListener("submit", saveKey);
    $("key-forget").addEventListener("click", forgetKey);
    $("notice-close").addEventListener("click", clearNotice);
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.addEventListener("click", () => setLanguage(button.dataset.lang));
    }
    const drop = $("drop");
    drop.addEventListener("dragover", (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      pick(event.dataTransfer.files);
    });
    // A file dropped beside the zone is not opened by the browser in place of the page.
    window.addEventListener("dragover", (event) => event.preventDefault());
    window.addEventListener("drop", (event) => event.preventDefault());
    $("files").addEventListener("change", (event) => {
      pick(event.target.files);
      event.target.value = "";
    });
    $("engine").addEventListener("change", () => {
      $("spotting").disabled = $("engine").value !== VLM;
    });
    $("submit").addEventListener("click", submitAll);
    $("prev").addEventListener("click", () => showPage(pageIndex - 1));
    $("next").addEventListener("click", () => showPage(pageIndex + 1));
    $("page-select").addEventListener("change", (event) => showPage(Number(event.target.value)));
    $("show-boxes").addEventListener("change", () => {
      $("boxes").classList.toggle("off", !$("show-boxes").checked);
    });
    $("show-tags").addEventListener("change", () => {
      $("boxes").classList.toggle("bare", !$("show-tags").checked);
    });
    $("whole").addEventListener("change", () => current && showPage(pageIndex));
    $("threshold").addEventListener("change", () => {
      localStorage.setItem(THRESHOLD_STORE, $("threshold").value);
      if (current) showPage(pageIndex);
    });
    for (const button of document.querySelectorAll("[data-format]")) {
      button.addEventListener("click", () => download(button.dataset.format));
    }
    document.addEventListener("keydown", (event) => {
      if (!current || event.target.closest("input, select, textarea")) return;
      if (event.key === "ArrowLeft") showPage(pageIndex - 1);
      if (event.key === "ArrowRight") showPage(pageIndex + 1);
    });
  }

  // For the browser tests: the pure parts, callable from outside.
  window.docparse = { renderMarkdown, sanitizeHtml, readZip, blockMarkdown, setLanguage };

  document.addEventListener("DOMContentLoaded", () => {
    const kept = localStorage.getItem(THRESHOLD_STORE);
    if (kept !== null && kept !== "") $("threshold").value = kept;
    wire();
    restoreJobs();
    applyLanguage();
    start();
  });
})();
