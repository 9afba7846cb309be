# SPDX-License-Identifier: EUPL-1.2
"""`/actions/`: a partner organisation's actions, each with a form to report its progress
(status and the indicator's current value), in the browser. Partners (and administrators)
only: anyone else signed in gets a 403, anyone anonymous is sent to sign in. A form for an
action that is not the user's is a 404; a bad value is shown next to its field and
changes nothing.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from plans.models import ActionStatus
from plans.partners import actions_of, is_partner, report_progress
from walks import roles


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    current_value = forms.FloatField(label=_("Current value"), required=False, localize=True)


def partner_actions(request):
    """The user's actions as a partner, with a progress form each (POST: one of them)."""
    if not (is_partner(request.user) or roles.municipalities_of(request.user) is None):
        return render(request, "plans/partner_forbidden.html", status=403)
    actions = actions_of(request.user).select_related("plan__municipality")
    actions = actions.order_by("plan__municipality__code", "plan", "year", "deadline", "pk")
    forms_by_action, status = {}, 200
    if request.method == "POST":
        action_id = request.POST.get("action", "")
        if not action_id.isdigit() or len(action_id) > 18:
            return redirect("partner-actions")
        action = get_object_or_404(actions, pk=int(action_id))
        form = ProgressForm(request.POST, prefix=f"action-{action.pk}")
        if form.is_valid():
            try:
                report_progress(
                    action,
                    status=form.cleaned_data["status"],
                    current_value=form.cleaned_data["current_value"],
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field, problem)
        if form.is_valid():
            messages.success(
                request, _("Saved the progress of “%(title)s”.") % {"title": action.title}
            )
            return redirect(f"{request.path}#action-{action.pk}")
        forms_by_action[action.pk] = form
        status = 400
    rows = [
        (
            action,
            forms_by_action.get(action.pk)
            or ProgressForm(
                prefix=f"action-{action.pk}",
                initial={"status": action.status, "current_value": action.current_value},
            ),
        )
        for action in actions
    ]
    return render(request, "plans/partner_actions.html", {"rows": rows}, status=status)


partner_actions = login_required(partner_actions)
