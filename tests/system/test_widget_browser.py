"""The website chat widget in a real headless Chromium (Debian's), against the real Rasa server, action
server and page server, over Rasa's socket.io channel."""
import itertools
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from content.load import sync
from content.store import create_schema, get_engine
from scripts.stack import ROOT, ask, running_stack, wait_for

RASA_PORT, ACTION_PORT, WEB_PORT = 15505, 15555, 18080
PAGE = f"http://127.0.0.1:{WEB_PORT}/"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def servers(tmp_path_factory, content):
    tmp = tmp_path_factory.mktemp("widget")
    content_url = f"sqlite:///{tmp / 'content.db'}"
    create_schema(get_engine(content_url))
    sync(content, get_engine(content_url))
    origin = f"http://127.0.0.1:{WEB_PORT}"
    with running_stack(tmp, rasa_port=RASA_PORT, action_port=ACTION_PORT, MBC_CONTENT_DB_URL=content_url,
                       MBC_WEB_ORIGINS=origin) as (rasa_url, _):
        env = {"MBC_WEB_PORT": str(WEB_PORT), "MBC_PUBLIC_RASA_URL": rasa_url, "PATH": "/usr/bin:/bin"}
        web = subprocess.Popen([sys.executable, "-m", "web.server"], cwd=ROOT, env=env)
        try:
            wait_for(PAGE, 30, web)
            yield {"rasa": rasa_url, "origin": origin}
        finally:
            web.terminate()
            web.wait(10)


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make test installs it (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, servers):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def open_chat(page):
    page.goto(PAGE)
    page.get_by_role("button", name="Ask a question").click()
    expect(page.get_by_label("Your question")).to_be_focused()
    # The disclaimer opens every conversation.
    expect(page.locator(".mbc-messages")).to_contain_text("not medical advice", timeout=20000)


def ask_in_widget(page, text):
    page.get_by_label("Your question").fill(text)
    page.get_by_role("button", name="Send").click()


def test_answers_verbatim_with_link_to_the_full_article(page, content):
    open_chat(page)
    ask_in_widget(page, "what is stable disease")
    answer = content.answers["what_is_stable_disease"]
    expect(page.locator(".mbc-bot .mbc-text", has_text="This is called stable disease.")).to_have_text(
        answer.text, timeout=20000)
    link = page.get_by_role("link", name="Read the full article").last
    url = content.articles[answer.article_id].meta["canonical_url"]
    assert link.get_attribute("href").startswith(url + "#:~:text=")
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#mbc-panel").screenshot(path=str(ARTIFACTS / "widget-answer.png"))


def test_question_title_buttons_serve_their_answer(page, content):
    open_chat(page)
    ask_in_widget(page, "what can you do")
    title = content.answers["what_is_ned"].title
    page.get_by_role("button", name=title).click()
    expect(page.locator(".mbc-bot .mbc-text", has_text="often called NED")).to_have_count(1, timeout=20000)
    # The choice shows as the user's message, in words, not as a payload.
    expect(page.locator(".mbc-user .mbc-text").last).to_have_text(title)


TOPICS = ["ned", "stable", "curable", "progression", "goals", "side effects", "surgery", "stage 1", "who gets it",
          "different", "lbbc", "treatment stops working", "choosing treatment", "treatment changes"]


def did_you_mean_phrase(rasa_url):
    """A message that gets "Did you mean" from the model under test: two topics in one message. The
    gate decides which are ambiguous; the test only looks for one, in a fixed order."""
    for first, second in itertools.combinations(TOPICS, 2):
        for phrase in (f"{first} or {second}", f"{first} {second}"):
            replies = ask(rasa_url, phrase, f"probe-{uuid.uuid4().hex}")
            if any(r.get("text", "").startswith("I want to be sure") for r in replies):
                return phrase
    pytest.fail("no two-topic message produced a 'Did you mean' reply")


def test_did_you_mean_button_serves_the_chosen_answer(page, servers, content):
    phrase = did_you_mean_phrase(servers["rasa"])
    open_chat(page)
    ask_in_widget(page, phrase)
    group = page.locator(".mbc-msg", has_text="Did you mean").last.locator(".mbc-buttons")
    expect(group.get_by_role("button", name="None of these")).to_be_visible(timeout=20000)
    choice = group.get_by_role("button").first
    title = choice.inner_text()
    answer = next(a for a in content.answers.values() if a.title == title)
    choice.click()
    expect(page.locator(".mbc-bot .mbc-text", has_text=answer.text.splitlines()[0][:60])).to_have_count(1, timeout=20000)


def test_conversation_survives_a_reload_and_can_start_again(page):
    open_chat(page)
    ask_in_widget(page, "is stage 4 curable")
    expect(page.locator(".mbc-messages")).to_contain_text("not considered curable", timeout=20000)
    page.reload()
    page.get_by_role("button", name="Ask a question").click()
    expect(page.locator(".mbc-messages")).to_contain_text("not considered curable")
    ask_in_widget(page, "what does progression mean")  # the same session answers after the reload
    expect(page.locator(".mbc-messages")).to_contain_text("the growth of tumors", timeout=20000)
    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator(".mbc-messages")).not_to_contain_text("not considered curable")


def test_user_text_is_shown_as_text_and_runs_nothing(page):
    open_chat(page)
    ask_in_widget(page, XSS)
    expect(page.locator(".mbc-user .mbc-text").last).to_have_text(XSS)
    expect(page.locator(".mbc-bot").last).to_be_visible(timeout=20000)
    page.wait_for_timeout(500)
    assert page.dialogs == []
    assert page.locator(".mbc-messages img").count() == 0


def test_phone_width_375px(browser, servers):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    open_chat(page)
    ask_in_widget(page, "what is NED")
    expect(page.locator(".mbc-messages")).to_contain_text("often called NED", timeout=20000)
    box = page.locator("#mbc-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, "no horizontal scrolling on a phone"
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-375px.png"))
    context.close()


def test_keyboard_and_screen_reader_basics(page):
    open_chat(page)
    log = page.get_by_role("log", name="Conversation")
    assert log.get_attribute("aria-live") == "polite"
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Ask a question")).to_be_focused()
    expect(page.get_by_role("button", name="Ask a question")).to_have_attribute("aria-expanded", "false")


def test_unreachable_server_shows_a_visible_message(browser, servers):
    context = browser.new_context()
    page = context.new_page()
    page.route("**/widget/demo-config.js", lambda route: route.fulfill(
        content_type="text/javascript", body='window.MBCChat = {"serverUrl": "http://127.0.0.1:9"};'))
    page.goto(PAGE)
    page.get_by_role("button", name="Ask a question").click()
    expect(page.get_by_role("status")).to_contain_text("Can't reach the assistant", timeout=20000)
    context.close()


def polling_handshake(rasa_url, origin):
    req = urllib.request.Request(f"{rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_socketio_accepts_only_configured_origins(servers):
    assert polling_handshake(servers["rasa"], servers["origin"]) == 200
    assert polling_handshake(servers["rasa"], "https://evil.example") == 400


def test_page_server_sends_a_strict_content_security_policy(servers):
    with urllib.request.urlopen(PAGE, timeout=5) as resp:
        csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(PAGE + "../server.py", timeout=5)
    assert info.value.code == 404
