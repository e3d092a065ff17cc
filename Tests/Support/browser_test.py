#!/usr/bin/python3
"""Drives `newsletter serve` in headless Chromium (Debian's chromium, chromium-driver, python3-selenium), as a
person uses it: the unsubscribe link from a generated message, then the sign-up form and its confirmation mail.

Started by Tests/NewsletterCLITests/ServeBrowserTests.swift, which starts the service and the aiosmtpd capture.
Exits 0 when every check passed; prints what failed otherwise. Screenshots at desktop (1280 px) and phone
(390 px) width go to --screenshots.
"""
import argparse
import email
import email.policy
import json
import os
import re
import sys
import time

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--origin", required=True)
    parser.add_argument("--unsubscribe-url", required=True, help="the link from the message for --address")
    parser.add_argument("--address", required=True)
    parser.add_argument("--list", required=True, help="the subscriber list file")
    parser.add_argument("--mail-dir", required=True, help="the aiosmtpd capture folder")
    parser.add_argument("--screenshots", required=True)
    return parser.parse_args()


class Browser:
    def __init__(self, shots):
        options = webdriver.ChromeOptions()
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900",
                         "--lang=en-US", "--force-device-scale-factor=1"]:
            options.add_argument(argument)
        self.driver = webdriver.Chrome(options=options)
        self.driver.set_page_load_timeout(20)
        self.wait = WebDriverWait(self.driver, 15)
        self.shots = shots

    def heading(self):
        return self.wait.until(EC.presence_of_element_located((By.TAG_NAME, "h1"))).text

    def wait_heading(self, text):
        self.wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), text))

    def screenshots(self, name):
        """The whole page at desktop and at phone width (the viewport is resized, the page re-laid out)."""
        for label, width in (("desktop", 1280), ("phone", 390)):
            self.driver.set_window_size(width, 900)
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(width, max(640, min(height + 140, 4000)))
            self.driver.save_screenshot(os.path.join(self.shots, f"{name}-{label}.png"))
        self.driver.set_window_size(1280, 900)

    def quit(self):
        self.driver.quit()


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def entries(path):
    with open(path, encoding="utf-8") as handle:
        return {entry["email"].lower(): entry for entry in json.load(handle)}


def confirmation_link(mail_dir, address, timeout=15):
    """The link in the text part of the confirmation message to `address`, once it arrived."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        path = os.path.join(mail_dir, "received.tsv")
        if os.path.exists(path):
            for line in open(path, encoding="utf-8").read().splitlines():
                fields = line.split("\t")
                if fields[0].lower() != address:
                    continue
                with open(os.path.join(mail_dir, fields[2]), "rb") as handle:
                    message = email.message_from_binary_file(handle, policy=email.policy.default)
                if not message["Subject"].startswith("Confirm your subscription"):
                    continue
                text = message.get_body(preferencelist=("plain",)).get_content()
                found = re.search(r"(http://\S+/confirm\?token=\S+)", text)
                check(found, "no confirmation link in the text part")
                html = message.get_body(preferencelist=("html",)).get_content()
                check(found.group(1) in html, "the HTML part links elsewhere than the text part")
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no confirmation message to {address} within {timeout} s")


def main():
    args = parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    browser = Browser(args.screenshots)
    driver = browser.driver
    try:
        # 1. Unsubscribe: the link from the message, the page, the button, the confirmation, the list.
        check(entries(args.list)[args.address].get("subscribed", True) is True, "the address must start subscribed")
        driver.get(args.unsubscribe_url)
        check(browser.heading() == "Unsubscribe from Daily Digest?", f"unexpected heading {browser.heading()!r}")
        check(args.address in driver.find_element(By.CLASS_NAME, "address").text, "the page does not name the address")
        check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "no lang attribute")
        browser.screenshots("unsubscribe")
        check(entries(args.list)[args.address].get("subscribed", True) is True, "opening the page changed the list")
        driver.find_element(By.CSS_SELECTOR, "button.primary").click()
        browser.wait_heading("You are unsubscribed")
        browser.screenshots("unsubscribed")
        check(entries(args.list)[args.address].get("subscribed") is False, "the list does not show the unsubscribe")

        # 2. Sign up: the form, the mail, the link, the Confirm button, the entry.
        driver.get(args.origin + "/subscribe")
        check(browser.heading() == "Subscribe to Daily Digest", f"unexpected heading {browser.heading()!r}")
        for field in ("email", "name"):
            label = driver.find_element(By.CSS_SELECTOR, f"label[for={field}]")
            check(label.is_displayed(), f"the {field} field has no visible label")
        check(not driver.find_element(By.ID, "website").is_displayed(), "the honeypot field is visible")
        driver.find_element(By.ID, "email").send_keys("Frank.Sign-Up@Example.com")
        driver.find_element(By.ID, "name").send_keys("Frank Müller")
        browser.screenshots("subscribe")
        driver.find_element(By.CSS_SELECTOR, "button.primary").click()
        browser.wait_heading("Check your inbox")
        browser.screenshots("subscribe-sent")
        link = confirmation_link(args.mail_dir, "frank.sign-up@example.com")
        check("frank.sign-up@example.com" not in entries(args.list), "listed before confirming")
        driver.get(link)
        browser.wait_heading("Confirm your subscription")
        browser.screenshots("confirm")
        check("frank.sign-up@example.com" not in entries(args.list), "opening the link changed the list")
        driver.find_element(By.CSS_SELECTOR, "button.primary").click()
        browser.wait_heading("You are subscribed")
        browser.screenshots("confirmed")
        entry = entries(args.list).get("frank.sign-up@example.com")
        check(entry is not None, "the confirmed address is not in the list")
        check(entry.get("name") == "Frank Müller" and entry.get("source") == "web" and "subscribedAt" in entry, f"entry {entry}")

        # 3. The other pages people see: a bad link, the archive.
        driver.get(args.origin + "/unsubscribe?token=not-a-token")
        check(browser.heading() == "This link is not valid", f"unexpected heading {browser.heading()!r}")
        browser.screenshots("invalid-link")
        driver.get(args.origin + "/archive/")
        check(browser.heading() == "Past editions", f"unexpected heading {browser.heading()!r}")
        browser.screenshots("archive-index")
        driver.find_element(By.CSS_SELECTOR, "ol.editions a").click()
        WebDriverWait(driver, 15).until(lambda d: d.current_url.endswith(".html"))
        check("This is the web version of Daily Digest" in driver.page_source, "the edition page is not the archive render")
        browser.screenshots("archive-edition")
    except Exception as error:  # noqa: BLE001 - report any failure with the page it happened on
        driver.save_screenshot(os.path.join(args.screenshots, "failure.png"))
        print(f"FAILED: {type(error).__name__}: {error} (at {driver.current_url})")
        return 1
    finally:
        browser.quit()
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
