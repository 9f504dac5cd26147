/* MBC answers chat widget: a small, dependency-free client for Rasa's socket.io channel.
 *
 * Embed:   <script>window.MBCChat = { serverUrl: "https://bot.example.org", title: "Ask about MBC" };</script>
 *          <script src="https://bot.example.org/widget/widget.js" defer></script>
 * Options: serverUrl, title, subtitle, primaryColor, textOnPrimary, starters (questions), embedIn
 *          (CSS selector of an element to render into instead of the floating launcher).
 *
 * Safety: every piece of bot and user text is put on the page with textContent or as a text node;
 * links are built element by element and only for http(s) URLs. Nothing is parsed as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = script ? new URL(".", script.src).href : "/";
  var config = Object.assign({
    serverUrl: window.location.origin,
    title: "Questions about metastatic breast cancer",
    subtitle: "Answers quoted from Living Beyond Breast Cancer",
    primaryColor: "#5b2a86",
    textOnPrimary: "#ffffff",
    starters: ["What is stable disease?", "Is metastatic breast cancer curable?",
               "Can stage I cancer become metastatic?", "What are the goals of treatment?"],
    embedIn: null
  }, window.MBCChat || {});

  var STORE = window.sessionStorage;  // survives a reload, not the closing of the tab (shared computers)
  var KEY_SESSION = "mbc-chat-session";
  var KEY_LOG = "mbc-chat-log";
  var MAX_LOG = 200;
  var URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g;

  var socket = null;
  var sessionId = STORE.getItem(KEY_SESSION);
  var log = readLog();
  var typingTimer = null;
  var el = {};
  var toggle = function () {};

  function readLog() {
    try { return JSON.parse(STORE.getItem(KEY_LOG) || "[]"); } catch (e) { return []; }
  }

  function saveLog() {
    STORE.setItem(KEY_LOG, JSON.stringify(log.slice(-MAX_LOG)));
  }

  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function safeHttpUrl(value) {
    try {
      var url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") ? url.href : null;
    } catch (e) { return null; }
  }

  function linkOf(button) {
    // Link buttons arrive as {type: "web_url", url} (REST) or as a quick reply whose payload is the URL
    // (Rasa's socket.io output keeps only title and payload).
    var target = button.url || (/^https?:\/\//.test(button.payload || "") ? button.payload : null);
    return target ? safeHttpUrl(target) : null;
  }

  function appendTextWithLinks(parent, text) {
    // Plain text, with bare http(s) URLs turned into links that open in a new tab.
    String(text).split(URL_PATTERN).forEach(function (part, i) {
      var href = i % 2 === 1 ? safeHttpUrl(part) : null;
      if (href) {
        var a = make("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, "full article (opens in a new tab)");
        a.title = href;
        parent.appendChild(a);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function render(entry) {
    var item = make("div", { "class": "mbc-msg mbc-" + entry.from });
    var who = make("span", { "class": "mbc-visually-hidden" }, entry.from === "user" ? "You said: " : "Assistant: ");
    item.appendChild(who);
    var text = entry.text;
    (entry.buttons || []).forEach(function (b) {
      // The bare URL is there for text-only channels; here the link button carries it.
      var href = linkOf(b);
      if (href && text) text = text.split(b.url || b.payload).join("").replace(/[:\s]+$/, "");
    });
    if (text) {
      var body = make("p", { "class": "mbc-text" });
      appendTextWithLinks(body, text);
      item.appendChild(body);
    }
    if (entry.buttons && entry.buttons.length) {
      var group = make("div", { "class": "mbc-buttons", role: "group", "aria-label": "Choices" });
      entry.buttons.forEach(function (b) {
        var href = linkOf(b);
        var node;
        if (href) {
          node = make("a", { "class": "mbc-button mbc-link-button", href: href, target: "_blank",
                              rel: "noopener noreferrer" }, b.title || "Open link");
        } else {
          node = make("button", { type: "button", "class": "mbc-button" }, b.title || "Choose");
          node.addEventListener("click", function () { send(b.payload || b.title, b.title); });
        }
        group.appendChild(node);
      });
      item.appendChild(group);
    }
    el.messages.appendChild(item);
    el.messages.scrollTop = el.messages.scrollHeight;
  }

  function add(entry) {
    log.push(entry);
    saveLog();
    render(entry);
  }

  function setStatus(text) {
    el.status.textContent = text || "";
    el.status.hidden = !text;
  }

  function showTyping(on) {
    el.typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { el.typing.hidden = true; }, 15000);
  }

  function send(payload, shown) {
    var text = String(payload || "").trim();
    if (!text || !socket) return;
    add({ from: "user", text: shown || text });
    el.starters.hidden = true;  // suggestions are for an empty conversation
    showTyping(true);
    socket.emit("user_uttered", { message: text, session_id: sessionId });
  }

  function connect() {
    if (socket || typeof io === "undefined") return;
    socket = io(config.serverUrl, { path: "/socket.io", transports: ["websocket", "polling"],
                                    reconnection: true, reconnectionDelayMax: 10000 });
    socket.on("connect", function () {
      setStatus("");
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (id) {
      var fresh = id !== sessionId;
      sessionId = String(id);
      STORE.setItem(KEY_SESSION, sessionId);
      if (fresh && log.length === 0) {
        // A new conversation: the first message starts Rasa's session, which sends the disclaimer.
        socket.emit("user_uttered", { message: "/greet", session_id: sessionId });
      }
    });
    socket.on("bot_uttered", function (msg) {
      showTyping(false);
      add({ from: "bot", text: msg && msg.text, buttons: (msg && (msg.quick_replies || msg.buttons)) || [] });
    });
    socket.on("disconnect", function () {
      showTyping(false);
      setStatus("Connection lost. Trying to reconnect…");
    });
    socket.on("connect_error", function () {
      setStatus("Can't reach the assistant right now. Trying again…");
    });
  }

  function newConversation() {
    log = [];
    STORE.removeItem(KEY_LOG);
    STORE.removeItem(KEY_SESSION);
    sessionId = null;
    el.messages.textContent = "";
    renderStarters();
    if (socket) socket.emit("session_request", { session_id: null });
    el.input.focus();
  }

  function renderStarters() {
    el.starters.textContent = "";
    el.starters.hidden = log.some(function (entry) { return entry.from === "user"; });
    config.starters.forEach(function (q) {
      var b = make("button", { type: "button", "class": "mbc-button" }, q);
      b.addEventListener("click", function () { send(q); });
      el.starters.appendChild(b);
    });
  }

  function build() {
    var root = make("div", { "class": "mbc-chat", id: "mbc-chat" });
    root.style.setProperty("--mbc-primary", config.primaryColor);
    root.style.setProperty("--mbc-on-primary", config.textOnPrimary);

    var panel = make("section", { "class": "mbc-panel", role: "dialog", "aria-labelledby": "mbc-title" });
    var header = make("header", { "class": "mbc-header" });
    var titles = make("div");
    titles.appendChild(make("h2", { id: "mbc-title" }, config.title));
    titles.appendChild(make("p", { "class": "mbc-subtitle" }, config.subtitle));
    header.appendChild(titles);
    var restart = make("button", { type: "button", "class": "mbc-icon-button", "aria-label": "Start a new conversation" }, "New");
    restart.addEventListener("click", newConversation);
    header.appendChild(restart);
    if (!config.embedIn) {
      var close = make("button", { type: "button", "class": "mbc-icon-button", "aria-label": "Close the chat" }, "Close");
      close.addEventListener("click", function () { toggle(false); });
      header.appendChild(close);
    }
    panel.appendChild(header);

    el.status = make("p", { "class": "mbc-status", role: "status" });
    el.status.hidden = true;
    panel.appendChild(el.status);

    el.messages = make("div", { "class": "mbc-messages", role: "log", "aria-live": "polite",
                                "aria-relevant": "additions", "aria-label": "Conversation", tabindex: "0" });
    panel.appendChild(el.messages);

    el.starters = make("div", { "class": "mbc-buttons mbc-starters", role: "group", "aria-label": "Suggested questions" });
    panel.appendChild(el.starters);

    el.typing = make("p", { "class": "mbc-typing", "aria-hidden": "true" }, "The assistant is typing…");
    el.typing.hidden = true;
    panel.appendChild(el.typing);

    var form = make("form", { "class": "mbc-form" });
    var label = make("label", { "for": "mbc-input", "class": "mbc-visually-hidden" }, "Your question");
    el.input = make("input", { id: "mbc-input", type: "text", autocomplete: "off", maxlength: "1000",
                               placeholder: "Type your question…" });
    var submit = make("button", { type: "submit", "class": "mbc-send" }, "Send");
    form.appendChild(label);
    form.appendChild(el.input);
    form.appendChild(submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send(el.input.value);
      el.input.value = "";
    });
    panel.appendChild(form);

    var host = config.embedIn && document.querySelector(config.embedIn);
    if (host) {
      root.classList.add("mbc-embedded");
      root.appendChild(panel);
      host.appendChild(root);
      open();
    } else {
      var launcher = make("button", { type: "button", "class": "mbc-launcher", "aria-expanded": "false",
                                      "aria-controls": "mbc-panel" }, "Ask a question");
      panel.id = "mbc-panel";
      panel.hidden = true;
      toggle = function (opening) {
        panel.hidden = !opening;
        launcher.setAttribute("aria-expanded", String(opening));
        if (opening) open(); else launcher.focus();
      };
      launcher.addEventListener("click", function () { toggle(panel.hidden); });
      panel.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
      root.appendChild(panel);
      root.appendChild(launcher);
      document.body.appendChild(root);
      el.launcher = launcher;
    }
    log.forEach(render);
    renderStarters();
  }

  function open() {
    connect();
    el.input.focus();
  }

  function start() {
    var css = make("link", { rel: "stylesheet", href: base + "widget.css" });
    document.head.appendChild(css);
    if (typeof io === "undefined") {
      var lib = make("script", { src: base + "vendor/socket.io.min.js" });
      lib.addEventListener("load", build);
      document.head.appendChild(lib);
    } else {
      build();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
