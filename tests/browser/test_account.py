"""A student changes their password from the header link: mistakes are explained in the form,
and saving logs them out on their other device but not on this one."""

from __future__ import annotations

from tests.browser.conftest import log_in
from tests.browser.test_pages import serious_violations
from tests.browser.test_roster import shot
from tests.support.factory import PASSWORD


def test_changing_the_password_logs_out_the_other_device(browser, live_server, world):
    w = world.assignment(students=1)
    student = w["students"][0]
    laptop = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768})
    tablet = browser.new_context(bypass_csp=True, viewport={"width": 768, "height": 1024})
    lp, tp = laptop.new_page(), tablet.new_page()
    log_in(lp, live_server, student)
    log_in(tp, live_server, student)
    assert "/student" in tp.url

    lp.get_by_role("link", name="Password").click()
    lp.wait_for_load_state()
    assert lp.get_by_role("heading", name="Change your password").is_visible()
    assert serious_violations(lp) == []
    lp.get_by_label("Your current password").fill("not the right one")
    lp.get_by_label("New password", exact=True).fill("sunny river bicycle")
    lp.get_by_label("Type the new password again").fill("sunny river bicycle")
    lp.get_by_role("button", name="Save my new password").click()
    lp.wait_for_load_state()
    assert "That is not the password you use now." in lp.locator("main").inner_text()

    lp.get_by_label("Your current password").fill(PASSWORD)
    lp.get_by_label("New password", exact=True).fill("password123")
    lp.get_by_label("Type the new password again").fill("password123")
    lp.get_by_role("button", name="Save my new password").click()
    lp.wait_for_load_state()
    assert "one many people use" in lp.locator("main").inner_text()
    shot(lp, "account-password-1366x768.png")

    lp.get_by_label("Your current password").fill(PASSWORD)
    lp.get_by_label("New password", exact=True).fill("sunny river bicycle")
    lp.get_by_label("Type the new password again").fill("sunny river bicycle")
    lp.get_by_role("button", name="Save my new password").click()
    lp.wait_for_load_state()
    assert "Your new password is saved" in lp.locator(".flashes").inner_text()
    assert "/student" in lp.url

    tp.reload()
    assert "/login" in tp.url  # the other device is logged out on the server side
    tp.goto(f"{live_server.url}/account/password")
    assert "/login" in tp.url
    log_in(tp, live_server, student, "sunny river bicycle")
    assert "/student" in tp.url
    tp.goto(f"{live_server.url}/account/password")
    shot(tp, "account-password-768x1024.png")
    laptop.close()
    tablet.close()
