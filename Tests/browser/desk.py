#!/usr/bin/env python3
"""Drives the web desk in headless Chromium (Debian's chromium and chromium-driver) for
Tests/IntegrationTests/BrowserTests.swift: one scenario per run, a screenshot of every page
it visits into SHOTS, and one JSON object on standard output with what it saw. It exits
non-zero, saying why, when something in the browser was not as it must be.

    desk.py SCENARIO BASE SHOTS [ARGS...]
"""
import json
import os
import sys

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


def browser(width=1280, height=900):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # --no-sandbox: CI runs as root; --disable-dev-shm-usage: a container's small /dev/shm crashes tabs.
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US",
                f"--window-size={width},{height}"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Run:
    def __init__(self, base, shots, prefix):
        self.base, self.shots, self.prefix = base.rstrip("/"), shots, prefix
        self.driver = browser()
        self.seen = {"pages": []}
        self.count = 0

    def shot(self, name):
        self.count += 1
        path = os.path.join(self.shots, f"{self.prefix}-{self.count:02d}-{name}.png")
        # The whole page, not only the window: stretch the window to the document's height.
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, max(900, min(height + 40, 6000)))
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1280, 900)
        self.seen["pages"].append(path)

    def go(self, path, name):
        self.driver.get(self.base + path)
        self.shot(name)

    def login(self, handle, password):
        self.go("/login", "login")
        self.driver.find_element(By.NAME, "handle").send_keys(handle)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "section.login button[type=submit]").click()
        self.shot("list")
        if "/login" in self.driver.current_url:
            fail("the login did not go through")

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def done(self):
        self.seen["url"] = self.driver.current_url
        self.driver.quit()
        print(json.dumps(self.seen))


def fail(why):
    print(f"desk.py: {why}", file=sys.stderr)
    sys.exit(1)


def staff_reply(run, handle, password, ticket, words, attachment, reply):
    """Logs in, filters the list, opens the ticket, answers with a file, and resolves it."""
    run.login(handle, password)
    d = run.driver
    d.find_element(By.NAME, "q").send_keys(words)
    d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    run.shot("filtered")
    rows = d.find_elements(By.CSS_SELECTOR, "table.tickets tbody tr")
    run.seen["rows"] = len(rows)
    d.find_element(By.CSS_SELECTOR, f"table.tickets a[href='/tickets/{ticket}']").click()
    run.shot("ticket")
    d.find_element(By.ID, "text").send_keys(reply)
    d.find_element(By.CSS_SELECTOR, "form.write input[type=file]").send_keys(attachment)
    d.find_element(By.CSS_SELECTOR, "form.write button[type=submit]:not(.secondary)").click()
    run.shot("replied")
    if reply.splitlines()[0] not in run.text():
        fail("the reply is not on the ticket's page after sending it")
    form = d.find_element(By.CSS_SELECTOR, f"form[action='/tickets/{ticket}/status']")
    Select(form.find_element(By.NAME, "value")).select_by_value("resolved")
    form.find_element(By.CSS_SELECTOR, "button").click()
    run.shot("resolved")
    run.seen["status"] = d.find_element(By.CSS_SELECTOR, "aside .status").text


def requester_reply(run, link, text):
    """Follows the link from the mail, reads the ticket and writes on it."""
    run.driver.get(link)
    run.shot("requester")
    run.seen["before"] = run.text()
    run.driver.find_element(By.ID, "text").send_keys(text)
    run.driver.find_element(By.CSS_SELECTOR, "form.write button[type=submit]").click()
    run.shot("requester-sent")
    run.seen["after"] = run.text()


def move(run, handle, password, ticket, queue):
    """Moves a ticket to another queue from its page."""
    run.login(handle, password)
    run.go(f"/tickets/{ticket}", "ticket")
    form = run.driver.find_element(By.CSS_SELECTOR, f"form[action='/tickets/{ticket}/queue']")
    Select(form.find_element(By.NAME, "value")).select_by_value(queue)
    form.find_element(By.CSS_SELECTOR, "button").click()
    run.shot("moved")


def hostile(run, handle, password, ticket):
    """Opens a ticket whose mail carries script: nothing of it may run or be markup."""
    run.login(handle, password)
    for path in ["/", f"/tickets/{ticket}"]:
        run.go(path, "hostile")
        d = run.driver
        try:
            d.switch_to.alert
            fail(f"{path}: a script opened an alert")
        except NoAlertPresentException:
            pass
        if d.title == "pwned" or d.execute_script("return window.__pwned === true"):
            fail(f"{path}: the requester's script ran")
        scripts = d.execute_script("return document.scripts.length")
        images = d.execute_script("return document.images.length")
        if scripts or images:
            fail(f"{path}: the page holds {scripts} script and {images} image elements")
    run.seen["text"] = run.text()
    run.seen["violations"] = [e["message"] for e in run.driver.get_log("browser") if "Content Security Policy" in e["message"]]


def idor(run, link, other, handle, password, foreign):
    """A requester changes the number; a staff member opens another queue's ticket."""
    run.driver.get(link)
    run.shot("requester")
    run.go(f"/my/{other}", "other-number")
    run.seen["requester_other"] = run.text()
    run.driver.delete_all_cookies()
    run.login(handle, password)
    run.go(f"/tickets/{foreign}", "foreign-queue")
    run.seen["staff_foreign"] = run.text()


def reuse(run, handle, password, ticket, canned, owner, task):
    """Answers with a canned answer (edited first), hands a task to a colleague, and writes
    an article in the knowledge base."""
    run.login(handle, password)
    d = run.driver
    run.go(f"/tickets/{ticket}", "ticket")
    form = d.find_element(By.CSS_SELECTOR, "form.canned")
    Select(form.find_element(By.NAME, "canned")).select_by_value(canned)
    form.find_element(By.CSS_SELECTOR, "button").click()
    run.shot("canned")
    area = d.find_element(By.ID, "text")
    run.seen["filled"] = area.get_attribute("value")
    area.send_keys("\nFins aviat.")
    d.find_element(By.CSS_SELECTOR, "form.write button[type=submit]:not(.secondary)").click()
    run.shot("canned-sent")
    form = d.find_element(By.CSS_SELECTOR, "form.task")
    Select(form.find_element(By.NAME, "owner")).select_by_value(owner)
    form.find_element(By.NAME, "text").send_keys(task)
    form.find_element(By.CSS_SELECTOR, "button").click()
    run.shot("task")
    run.seen["task_url"] = d.current_url
    run.go(f"/tickets/{ticket}", "parent")
    run.seen["tasks"] = [e.text for e in d.find_elements(By.CSS_SELECTOR, "ul.tasks li")]
    run.go("/articles/new", "article-new")
    d.find_element(By.NAME, "title").send_keys("La fibra no té llum")
    d.find_element(By.NAME, "problem").send_keys("El router no rep senyal de la fibra.")
    d.find_element(By.NAME, "solution").send_keys("Revisar el connector de la caixa del carrer.")
    d.find_element(By.CSS_SELECTOR, "form.article button[type=submit]").click()
    run.shot("article")
    run.go("/articles?q=fibra", "articles")
    run.seen["articles"] = [e.text for e in d.find_elements(By.CSS_SELECTOR, "table.articles tbody tr")]


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    scenario, base, shots, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    os.makedirs(shots, exist_ok=True)
    run = Run(base, shots, scenario)
    try:
        {"staff-reply": staff_reply, "requester-reply": requester_reply, "move": move, "hostile": hostile, "idor": idor, "reuse": reuse}[scenario](run, *args)
    finally:
        if run.driver.session_id:
            run.done()


if __name__ == "__main__":
    main()
