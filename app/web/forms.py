"""HTML forms (WTForms via Flask-WTF). Each validates its own CSRF token, so an expired token
re-shows the form with what was typed, instead of losing it. Every form is a ``PlainTextForm``:
no field takes control characters (NUL, which PostgreSQL can't store, among them); a text area
keeps tabs and line breaks."""

from __future__ import annotations

from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Form,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from ..domain import passwords
from ..domain.roster import NAME_MAX, SECTION_MAX, SIS_MAX, full_name, has_invisible_controls
from ..domain.text import LINE_BREAKS, has_control
from ..models import Classroom

PASSWORD_MIN = passwords.MIN


CONTROL_CHARACTER = (
    "This contains an invisible control character (it can come with pasted text). "
    "Delete it, or type the text again, and try once more."
)


def plain_text(form, field) -> None:
    """Every field's first check (``PlainTextForm``): no control characters, but a text
    area's tabs and line breaks."""
    allowed = LINE_BREAKS if isinstance(field, TextAreaField) else ""
    if isinstance(field.data, str) and has_control(field.data, allowed):
        raise StopValidation(CONTROL_CHARACTER)


class PlainText:
    """Makes ``plain_text`` the first check of each of a form's fields (its CSRF token has its
    own), so no form can forget it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        form: Form = self  # mixed into a Form only
        token = getattr(form.meta, "csrf_field_name", None)
        for name, field in form._fields.items():
            if name != token:
                field.validators = [plain_text, *field.validators]


class PlainTextForm(PlainText, FlaskForm):
    """The base of the app's forms."""


class PlainTextSubform(PlainText, Form):
    """A part of a form whose token is the whole form's (``RubricRowForm``)."""


def _strip(value):
    """Autocomplete on phones adds a trailing space; an email or username never has one."""
    return value.strip() if isinstance(value, str) else value


class GoodPassword:
    """The password policy (``domain.passwords``), told the form's own username, name and
    email when it has them, or the logged-in person's."""

    def __call__(self, form, field) -> None:
        def sibling(name: str) -> str:
            value = form[name].data if name in form else None
            return value if isinstance(value, str) else ""

        known = {
            "username": sibling("username"),
            "name": " ".join((sibling("name"), sibling("first_name"), sibling("last_name"))),
            "email": sibling("email"),
        }
        if current_user and current_user.is_authenticated:
            known = {
                "username": current_user.username or "",
                "name": current_user.display_name,
                "email": current_user.email or "",
            }
        reason = passwords.problem(field.data or "", **known)
        if reason:
            raise StopValidation(reason)


def no_invisible_controls(form, field) -> None:
    """Names are shown to others: no control characters or hidden direction changes."""
    if isinstance(field.data, str) and has_invisible_controls(field.data):
        raise StopValidation(
            "Use letters, numbers and punctuation only: this contains an "
            "invisible character that changes how the text is shown."
        )


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired("Choose a password."), GoodPassword()])


def confirm_field(label: str) -> PasswordField:
    """The new password typed again."""
    return PasswordField(
        label, validators=[EqualTo("password", message="The two passwords are different.")]
    )


def name_field(label: str, missing: str) -> StringField:
    """A name others will see: a person's or a class's."""
    return StringField(
        label,
        validators=[
            DataRequired(missing),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
            no_invisible_controls,
        ],
    )


def menu(label: str, *options: tuple[str, str]) -> SelectField:
    """A drop-down of (value, label) options whose answer the domain checks, not WTForms."""
    return SelectField(
        label, validate_choice=False, choices=[SelectChoice(v, text) for v, text in options]
    )


class TeacherSignupForm(PlainTextForm):
    name = name_field("Your name", "Tell us your name.")
    email = EmailField(
        "School email",
        filters=[_strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="That doesn't look like an email address."
            ),
        ],
    )
    password = new_password_field()
    confirm = confirm_field("Type the password again")


class ChangePasswordForm(PlainTextForm):
    current = PasswordField(
        "Your current password", validators=[DataRequired("Type the password you use now.")]
    )
    password = new_password_field("New password")
    confirm = confirm_field("Type the new password again")


class NewPasswordForm(PlainTextForm):
    """A student on a one-time password chooses their own."""

    password = new_password_field("New password")
    confirm = confirm_field("Type it again")


class LoginForm(PlainTextForm):
    login = StringField(
        "Username or email",
        validators=[DataRequired("Enter your username (or email, for teachers)."), Length(max=254)],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class JoinCodeForm(PlainTextForm):
    code = StringField(
        "Class code",
        validators=[DataRequired("Type the class code your teacher gave you."), Length(max=20)],
    )


class StudentSignupForm(JoinCodeForm):
    first_name = name_field("First name", "Tell us your first name.")
    last_name = name_field("Last name", "Tell us your last name.")
    username = StringField(
        "Choose a username",
        filters=[_strip],
        validators=[
            DataRequired("Choose a username."),
            Length(min=3, max=40, message="Use 3 to 40 characters."),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message="Use only letters, numbers, dots, dashes and underscores (no spaces).",
            ),
        ],
    )
    password = new_password_field()
    confirm = confirm_field("Type the password again")

    def validate_last_name(self, field) -> None:
        if len(self.full_name) > NAME_MAX:
            raise ValidationError(
                f"Your first and last name together can have at most {NAME_MAX} characters. "
                "Shorten one of them."
            )

    @property
    def full_name(self) -> str:
        """The name the teacher sees: first and last, as typed."""
        return full_name(self.first_name.data or "", self.last_name.data or "")


class ClassroomForm(PlainTextForm):
    """A new class, or a new name for one."""

    name = name_field("Class name", "Give the class a name, e.g. 'Period 3 English'.")


class DeleteClassForm(PlainTextForm):
    """Deleting a class is confirmed by typing its name (as on GitHub), so a slip of the mouse
    can't delete a year of students' work."""

    name = StringField(
        "Type the class name to confirm",
        validators=[DataRequired("Type the class name to confirm.")],
    )

    def __init__(self, classroom: Classroom, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.classroom = classroom

    def validate_name(self, field) -> None:
        if (field.data or "").strip() != self.classroom.name.strip():
            raise ValidationError(
                f"That isn't the class name. Type \u201c{self.classroom.name}"
                "\u201d exactly, or cancel."
            )


class RosterFileForm(PlainTextForm):
    file = FileField(
        "Roster file (CSV)",
        validators=[FileRequired("Choose the roster file to upload (a .csv file).")],
    )


def _roster_value(label: str, limit: int) -> StringField:
    """An optional SIS id or section: spaces around it dropped; empty means none."""
    return StringField(
        label,
        filters=[_strip],
        validators=[
            Length(max=limit, message=f"Use at most {limit} characters."),
            no_invisible_controls,
        ],
    )


class RosterEntryForm(PlainTextForm):
    """A teacher's changes to one student in their class."""

    name = StringField(
        "Name",
        filters=[_strip],
        validators=[
            DataRequired("Type the student's name."),
            Length(max=NAME_MAX, message=f"Use at most {NAME_MAX} characters."),
            no_invisible_controls,
        ],
    )
    sis_user_id = _roster_value("SIS user ID", SIS_MAX)
    sis_login_id = _roster_value("SIS login ID", SIS_MAX)
    section = _roster_value("Section", SECTION_MAX)


class AssignForm(PlainTextForm):
    lesson = SelectField("Lesson", validators=[DataRequired("Choose a lesson.")])
    due = DateField("Due date (optional)", validators=[Optional()])
    # the lesson id the teacher was warned the class already has: assign it again
    again = HiddenField()


class DeleteAssignmentForm(PlainTextForm):
    """Deleting an assignment its students worked on takes a ticked box, so a slip of the
    mouse can't delete their work; one nobody has touched goes with the button alone."""

    understood = BooleanField("I understand that my students' work on it will be deleted for good")

    def __init__(self, has_work: bool, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_work = has_work

    def validate_understood(self, field) -> None:
        if self.has_work and not field.data:
            raise ValidationError(
                "Tick the box to say you understand the work will be deleted, or cancel."
            )


class QuoteAnnotationForm(PlainTextForm):
    """The no-JavaScript way to annotate: type the words, say which occurrence. The note's
    length and the answers are checked by domain.annotations, like the API's."""

    prompt = SelectField("Question", validators=[DataRequired("Choose a question.")])
    quote = TextAreaField("Words from the article", validators=[Length(max=2000)])
    occurrence = IntegerField(
        "Which time they appear (1 = first)",
        validators=[
            Optional(),
            NumberRange(min=1, message="Use 1 for the first time, 2 for the second..."),
        ],
    )
    note = TextAreaField("Your note")
    named = menu(
        "Source: is it named?", ("", "-"), ("named", "Named"), ("unnamed", "Unnamed / vague")
    )
    affiliation = StringField("Source: who are they? (job, organisation)")
    independence = menu(
        "Source: independent or interested party?",
        ("", "-"),
        ("independent", "Independent"),
        ("interested", "Interested party"),
        ("unsure", "Not sure"),
    )
    checked_url = StringField("Source: where I checked (a web address)")
    rewrite = StringField("Loaded wording: a neutral way to say it")
    missing = StringField("Left out: what is missing")
    why = StringField("Left out: why it matters")


def form_field(form: FlaskForm, key: str):
    """The form field that shows an error the domain reported under ``key``."""
    name = {"target": "quote", "category": "prompt"}.get(key, key.removeprefix("fields."))
    return form._fields.get(name, form.note)


class OmissionMarkForm(PlainTextForm):
    """A teacher's mark for one omission answer (one form per answer, prefixed by its id)."""

    key_item = menu("Which omission does it address?")
    level = RadioField(
        "Mark",
        choices=[
            SelectChoice("full", "Full"),
            SelectChoice("partial", "Partial"),
            SelectChoice("none", "None"),
        ],
        validators=[DataRequired("Choose full, partial or none.")],
    )


class RubricRowForm(PlainTextSubform):
    """One question's rubric level and comment (prefixed ``r-<prompt>``); its token is the
    whole rubric's (``RubricForm``)."""

    level = menu(
        "Level",
        ("", "Not set"),
        ("proficient", "Proficient"),
        ("emergent", "Emergent"),
        ("basic", "Basic"),
    )
    comment = TextAreaField("Comment for the student", validators=[Length(max=2000)])


class RubricForm(PlainTextForm):
    """The whole rubric, saved with one button: the token here, a ``RubricRowForm`` per
    question in ``rows`` (by prompt id)."""

    rows: dict[str, RubricRowForm]


def _finite(form, field) -> None:
    """NaN and infinity are not grades (and "sNaN" would crash the range check after it)."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation("Type a number, like 7 or 7.5.")


class FinalGradeForm(PlainTextForm):
    score = DecimalField(
        "Final grade",
        places=None,
        validators=[Optional(), _finite, NumberRange(min=0, message="A grade can't be negative.")],
    )
    reason = StringField(
        "Why (the student sees this with their feedback)", validators=[Length(max=500)]
    )


class DueForm(PlainTextForm):
    due = DateField("Due date", validators=[Optional()])


class MoveForm(PlainTextForm):
    """Confirming a move to a newer lesson version: the version the teacher reviewed."""

    to = HiddenField(validators=[DataRequired()])


class LessonSearchForm(PlainTextForm):
    """The lesson library's search: a GET form (a link to results can be shared), no token."""

    class Meta:
        csrf = False

    q = StringField("Search by title or outlet", validators=[Length(max=200)])


class NewLessonForm(PlainTextForm):
    """A new lesson: its details and its article, pasted (the page's script sends pasted HTML
    to be read into blocks, and keeps each block's kind in ``kinds``) or uploaded."""

    title = StringField("Title", validators=[Length(max=300)])
    outlet = StringField("Outlet (who published it)", validators=[Length(max=200)])
    byline = StringField("Byline (who wrote it)", validators=[Length(max=300)])
    url = StringField("Web address of the article", validators=[Length(max=2000)])
    published = DateField("Date published", validators=[Optional()])
    approximate = BooleanField("The date is approximate (students see “about” before it)")
    grade_band = StringField("Grade band", validators=[Length(max=40)])
    minutes = IntegerField(
        "Minutes",
        default=30,
        validators=[Optional(), NumberRange(1, 600, "Give the minutes as a number from 1 to 600.")],
    )
    teacher_note = TextAreaField("Note for teachers (students never see it)")
    article = TextAreaField("The article")
    kinds = HiddenField()
    file = FileField("Or upload the article (.txt or .html)")


class ImportLessonForm(PlainTextForm):
    file = FileField(
        "Lesson file (.toml)",
        validators=[FileRequired("Choose the lesson file to import (a .toml file).")],
    )


class ShareForm(PlainTextForm):
    """Share a lesson with the server's other teachers, or stop."""

    shared = RadioField(
        "Sharing", choices=[SelectChoice("yes", "Share"), SelectChoice("no", "Stop sharing")]
    )


class ActionForm(PlainTextForm):
    """A button that changes something (log out, submit, delete): only its CSRF token."""


def csrf_message(form: FlaskForm) -> str | None:
    if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        return (
            "This page was open for a long time, so for your safety the form expired. "
            "Your typing is still here: press the button again."
        )
    return None
