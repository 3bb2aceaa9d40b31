"""Every app-wide request rule is registered by ``web.policy``, in one visible order, and views
change a rule for themselves only by declaring it."""

from __future__ import annotations

from app.web import policy


def _names(funcs) -> list[str]:
    return [f.__name__ for f in funcs]


def test_the_app_wide_rules_run_in_the_order_policy_lists_them(app):
    before = [f for f in app.before_request_funcs[None] if f.__name__ != "fresh_g"]  # conftest's
    # Flask-WTF registers its own check, switched off: policy.csrf_guard decides instead
    assert _names(before) == ["csrf_protect", "csrf_guard", "api_write_limit", "password_guard"]
    assert app.config["WTF_CSRF_CHECK_DEFAULT"] is False
    assert before[1:] == list(policy.BEFORE)
    after = app.after_request_funcs[None]
    # Flask-Login's own (remember-me cookies, which the app never sets), then ours
    assert _names(after) == ["_update_remember_cookie", "security_headers"]
    assert after[1:] == list(policy.AFTER)


def test_views_declare_what_they_check_themselves_instead_of_endpoint_name_lists(app):
    def declaring(name: str) -> set[str]:
        return {e for e, view in app.view_functions.items() if getattr(view, name, False)}

    assert declaring(policy.CHECKS_OWN_LOGIN) == {"api.put_annotation"}
    assert declaring(policy.OPEN_TO_TEMPORARY_PASSWORD) == {
        "account.new_password",
        "auth.logout",
        "main.favicon",
        "main.service_worker",
    }
    assert declaring("takes_write_lock_itself") == {
        "api.put_annotation",
        "student.annotate_by_quote",
    }
    assert "auth.login" in declaring(policy.CHECKS_OWN_CSRF)
