"""linksim serve in a real browser: headless Chromium driven by Selenium
(Debian's chromium, chromium-driver and python3-selenium) loads the page,
sees a bad value refused beside its control, changes controls, runs the
comparison, waits for the result, checks the verdict and that the charts
drew, and takes a screenshot (docs/serve.png is one).

Run by ctest as Serve.browser, with LINKSIM_BINARY (the linksim to serve)
and LINKSIM_SCREENSHOT (where the screenshot goes)."""

import json
import os
import re
import subprocess

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BINARY = os.environ.get("LINKSIM_BINARY", "linksim")
SCREENSHOT = os.environ.get("LINKSIM_SCREENSHOT", "serve.png")


@pytest.fixture
def server():
    # The bundled scenarios; any free port; the address is the first line out.
    proc = subprocess.Popen([BINARY, "serve", "--port", "0", "--threads", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, f"linksim serve printed {line!r}"
    yield match.group(0)
    proc.terminate()
    assert proc.wait(timeout=30) == 0


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1500,1900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def rendered(driver):
    return json.loads(driver.find_element(By.ID, "serve-rendered").get_attribute("textContent"))


def set_value(driver, key, value):
    """A control's new value, as typing it and leaving the box would give
    (one change event: no intermediate empty box checked)."""
    field = driver.find_element(By.CSS_SELECTOR, f'[data-key="{key}"]')
    driver.execute_script("arguments[0].value = arguments[1];"
                          "arguments[0].dispatchEvent(new Event('change'))", field, str(value))
    return field


def settled(driver):
    """No check under way: the problems shown are those of the controls' values."""
    return rendered(driver).get("checking", 0) == 0


def problem_beside(driver, key):
    field = driver.find_element(By.CSS_SELECTOR, f'[data-key="{key}"]')
    return field.find_element(By.XPATH, "./ancestor::div[contains(@class,'row')][1]"
                                        "/div[contains(@class,'problem')]").text


def test_change_run_and_see_the_verdict(server, browser):
    browser.get(server)
    wait = WebDriverWait(browser, 60)
    wait.until(lambda d: rendered(d).get("status") == "ok")
    assert browser.find_element(By.ID, "baseline").get_attribute("value") == "closed_loop"
    assert browser.find_element(By.ID, "scenario").get_attribute("value") == "open_links"

    # A value out of the key's range: the CLI's message beside the control.
    field = set_value(browser, "conversion.jump_loss", 2)
    wait.until(lambda d: "expected" in problem_beside(d, "conversion.jump_loss"))
    assert "invalid" in field.get_attribute("class")
    # Fixed, and a small size: the message goes.
    set_value(browser, "conversion.jump_loss", 0.5)
    set_value(browser, "population.scale", 0.05)
    set_value(browser, "replications", 3)
    wait.until(lambda d: settled(d) and problem_beside(d, "conversion.jump_loss") == "")
    assert browser.find_element(By.ID, "problems").text == ""

    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 600).until(
        lambda d: re.search(r"Run \d+ (done|failed|cancelled)",
                            d.find_element(By.ID, "status").text))
    status = browser.find_element(By.ID, "status").text
    assert "done" in status, status

    # The verdict: one sentence per headline metric, open_links against closed_loop.
    verdict = browser.find_element(By.ID, "verdict").text
    assert "open_links" in verdict and "closed_loop" in verdict, verdict
    assert re.search(r"gmv \(total GMV\): (open_links is (higher|lower) than closed_loop|no difference shown)",
                     verdict), verdict
    assert "3 paired replications" in browser.find_element(By.ID, "verdict-label").text

    # The charts drew: datasets with points, and ink on the canvas.
    r = rendered(browser)
    assert r["status"] == "ok", r
    assert [c["id"] for c in r["charts"]] == ["diff-gmv", "diff-in_store_share"]
    for c in r["charts"]:
        assert c["datasets"] == 3 and c["points"] > 300, c
    ink = browser.execute_script("""
        const c = document.getElementById('diff-gmv');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ++n;
        return n;""")
    assert ink > 1000, ink

    # The run's report beside it drew its charts too.
    frame = browser.find_element(By.CSS_SELECTOR, "#reports iframe")
    browser.switch_to.frame(frame)
    wait.until(lambda d: d.find_elements(By.ID, "linksim-rendered"))
    report = json.loads(browser.find_element(By.ID, "linksim-rendered")
                        .get_attribute("textContent"))
    assert report["status"] == "ok", report
    assert report["charts"], report
    browser.switch_to.default_content()

    # The runs table lists it with its settings and downloads.
    row = browser.find_element(By.CSS_SELECTOR, "#runs tbody tr").text
    assert "conversion.jump_loss=0.5" in row and "scale 0.05" in row, row
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(SCREENSHOT)


def test_upload_and_an_emptied_box(server, browser, tmp_path):
    browser.get(server)
    wait = WebDriverWait(browser, 60)
    wait.until(lambda d: rendered(d).get("status") == "ok")
    # An emptied box is refused beside it, not run as 0 or as the scenario's value.
    set_value(browser, "population.scale", "")
    wait.until(lambda d: "expected a number" in problem_beside(d, "population.scale"))
    set_value(browser, "population.scale", 0.05)
    wait.until(lambda d: problem_beside(d, "population.scale") == "")
    # An uploaded scenario (extends a bundled one): its own timeline and assumptions fill the page.
    upload = tmp_path / "my_policy.yaml"
    upload.write_text("extends: open_links.yaml\nname: my_policy\n"
                      "conversion: { jump_loss: 0.45 }\npolicy:\n"
                      "  - { from: 2020-01-01, taobao: { live: true }, jd: { live: true } }\n"
                      "  - { from: 2022-03-01, taobao: { live: false, fee: 0.02 },"
                      " jd: { live: false } }\n")
    browser.find_element(By.ID, "upload").send_keys(str(upload))
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#policy .entry")) == 2)
    from_box = browser.find_element(By.CSS_SELECTOR, '[data-key="policy.1.from"]')
    assert from_box.get_attribute("value") == "2022-03-01"
    fee = browser.find_element(By.CSS_SELECTOR, '[data-key="policy.1.taobao.fee"]')
    assert float(fee.get_attribute("value")) == 0.02
    jump = browser.find_element(By.CSS_SELECTOR, '[data-key="conversion.jump_loss"]')
    assert float(jump.get_attribute("value")) == 0.45
    # A bad value in the uploaded timeline: the message beside its entry.
    set_value(browser, "policy.1.taobao.fee", 3)
    entry = from_box.find_element(By.XPATH, "./ancestor::div[contains(@class,'entry')][1]")
    wait.until(lambda d: "scenario: taobao.fee: out of range (expected a value in [0, 1], got 3)"
               in entry.find_element(By.CSS_SELECTOR, ".problem").text)
    assert "invalid" in fee.get_attribute("class")
