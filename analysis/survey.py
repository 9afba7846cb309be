# SPDX-License-Identifier: EUPL-1.2
"""A survey's results, per district of residence and for the whole municipality.

PostgreSQL counts and sums, grouped by the respondent's district (three statements: the
scale answers, the choices, the reasons given for places on the map, besides the
respondents); Python adds the areas up into the whole, works out means and confidence
intervals and hides small cells. What the figures mean:

- `respondents`: responses whose district of residence is the area (`no_district`: those
  who did not say; `whole`: all).
- `safety_day` / `safety_dark`: over the respondents who answered the perceived-safety
  question (1 very unsafe … 5 very safe): `n`, `mean`, and its 95 % confidence interval
  mean ± t(0.975, n − 1) · s / √n with s the sample standard deviation (null below n = 2).
- `choices`: per choice question (single, multiple, age group), how many respondents
  answered it and, per option, how many chose it and the share of those who answered
  (a multiple choice's shares add up to more than 1).
- `top_reasons`: the reasons most often given for the places marked on the map, per map
  question, at most TOP_REASONS.

Privacy: an area with fewer than K_SURVEY respondents is hidden (every figure null,
`suppressed` true) from everyone but planners and administrators. The areas add up to the
whole, so analysis.picture.complementary_suppression hides more areas until no hidden one
can be worked out as the whole minus the others.
"""

import math
from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, F, Max, Sum

from analysis.picture import OUTSIDE, WHOLE, complementary_suppression, district_info
from surveys.models import CHOICE_KINDS, SCALE_KINDS, Answer, Place, Response, Survey

# Areas with fewer respondents than this are hidden from the public.
K_SURVEY = 5
TOP_REASONS = 5
# How long a survey's sums stay in the cache. A response added or deleted is seen at once
# (the key holds the responses' count and last id); responses are never changed, so only
# deleting a question or option in the admin can leave the sums stale, this long at most.
SUMS_SECONDS = 10 * 60

# Student's t, 0.975 quantile, for 1–30 degrees of freedom (any statistics table).
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
_Z_975 = 1.959963984540054


def t_975(df: int) -> float:
    """Student's t 0.975 quantile: the table up to 30 degrees of freedom, then the
    Cornish–Fisher expansion around the normal quantile (error below 1e-4 from 31 on)."""
    if df <= len(_T_975):
        return _T_975[df - 1]
    z = _Z_975
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def scale_figures(n: int, total: float, squares: float) -> dict:
    """n, mean and the 95 % interval from the count, sum and sum of squares."""
    if not n:
        return {"n": 0, "mean": None, "ci_low": None, "ci_high": None}
    mean = total / n
    if n < 2:
        return {"n": n, "mean": mean, "ci_low": None, "ci_high": None}
    variance = max(0.0, (squares - n * mean * mean) / (n - 1))
    half = t_975(n - 1) * math.sqrt(variance / n)
    return {"n": n, "mean": mean, "ci_low": mean - half, "ci_high": mean + half}


def area_of(district_id):
    return OUTSIDE if district_id is None else district_id


def empty_sums() -> dict:
    return {
        "respondents": 0,
        "scale": defaultdict(lambda: [0, 0, 0]),
        "answered": defaultdict(int),
        "chosen": defaultdict(int),
        "reasons": defaultdict(int),
    }


def survey_sums(survey: Survey) -> dict:
    """Per area (district id or OUTSIDE) and WHOLE: respondents, scale sums, choice and
    reason counts. Four statements."""
    sums = defaultdict(empty_sums)
    responses = Response.objects.filter(survey=survey).order_by()
    for row in responses.values("home_district").annotate(n=Count("pk")):
        sums[area_of(row["home_district"])]["respondents"] += row["n"]
    answers = Answer.objects.filter(response__survey=survey).order_by()
    scale = (
        answers.filter(question__kind__in=SCALE_KINDS, number__isnull=False)
        .values("response__home_district", "question__kind")
        .annotate(n=Count("pk"), total=Sum("number"), squares=Sum(F("number") * F("number")))
    )
    for row in scale:
        sums[area_of(row["response__home_district"])]["scale"][row["question__kind"]] = [
            row["n"],
            row["total"],
            row["squares"],
        ]
    choices = (
        answers.filter(question__kind__in=CHOICE_KINDS, option__isnull=False)
        .values("response__home_district", "question_id", "option_id")
        .annotate(n=Count("response", distinct=True))
    )
    for row in choices:
        area = sums[area_of(row["response__home_district"])]
        area["chosen"][(row["question_id"], row["option_id"])] += row["n"]
    answered = (
        answers.filter(question__kind__in=CHOICE_KINDS, option__isnull=False)
        .values("response__home_district", "question_id")
        .annotate(n=Count("response", distinct=True))
    )
    for row in answered:
        sums[area_of(row["response__home_district"])]["answered"][row["question_id"]] += row["n"]
    reasons = (
        Place.objects.filter(response__survey=survey, reason__isnull=False)
        .order_by()
        .values("response__home_district", "question_id", "reason_id")
        .annotate(n=Count("pk"))
    )
    for row in reasons:
        area = sums[area_of(row["response__home_district"])]
        area["reasons"][(row["question_id"], row["reason_id"])] += row["n"]
    whole = sums[WHOLE]
    for key, area in list(sums.items()):
        if key == WHOLE:
            continue
        whole["respondents"] += area["respondents"]
        for kind, (n, total, squares) in area["scale"].items():
            into = whole["scale"][kind]
            into[0], into[1], into[2] = into[0] + n, into[1] + total, into[2] + squares
        for name in ("answered", "chosen", "reasons"):
            for each, n in area[name].items():
                whole[name][each] += n
    return sums


def kept_sums(survey: Survey) -> dict:
    """survey_sums, from Django's cache while the survey's responses stay the same: the
    district picture asks for the latest two surveys' on every request, and 50,000 answers
    take a second (docs/benchmarks.md)."""
    responses = Response.objects.filter(survey=survey).aggregate(n=Count("pk"), last=Max("pk"))
    key = ":".join(
        str(part)
        for part in ("survey-sums", survey.pk, survey.created_at.timestamp(), *responses.values())
    )
    sums = cache.get(key)
    if sums is None:
        # Plain dicts: the defaultdicts' factories do not pickle.
        sums = {
            area: {
                name: dict(value) if isinstance(value, dict) else value
                for name, value in parts.items()
            }
            for area, parts in survey_sums(survey).items()
        }
        cache.set(key, sums, SUMS_SECONDS)
    return sums


def figures(sums: dict | None, questions: list, *, suppressed: bool) -> dict:
    if suppressed:
        return {
            "respondents": None,
            "suppressed": True,
            "safety_day": None,
            "safety_dark": None,
            "choices": [],
            "top_reasons": [],
        }
    sums = sums or empty_sums()
    result = {"respondents": sums["respondents"], "suppressed": False}
    for kind in SCALE_KINDS:
        result[kind] = scale_figures(*sums["scale"].get(kind, (0, 0, 0)))
    result["choices"] = [
        {
            "question": question.code,
            "text": question.text,
            "answered": sums["answered"].get(question.pk, 0),
            "options": [
                {
                    "option": option.code,
                    "text": option.text,
                    "count": (count := sums["chosen"].get((question.pk, option.pk), 0)),
                    "share": (
                        count / sums["answered"][question.pk]
                        if sums["answered"].get(question.pk)
                        else None
                    ),
                }
                for option in question.options.all()
            ],
        }
        for question in questions
        if question.kind in CHOICE_KINDS
    ]
    reasons = []
    for question in questions:
        given = [
            (sums["reasons"].get((question.pk, option.pk), 0), option)
            for option in question.options.all()
        ]
        given = sorted((each for each in given if each[0]), key=lambda each: -each[0])
        reasons += [
            {"question": question.code, "reason": option.code, "text": option.text, "count": n}
            for n, option in given[:TOP_REASONS]
        ]
    result["top_reasons"] = reasons
    return result


def hidden_areas(sums: dict, areas: list) -> set:
    """The areas the public may not see: small ones, and enough others that none of them
    can be worked out from the whole (analysis.picture's complementary suppression)."""
    counts = {key: sums[key]["respondents"] if key in sums else 0 for key in [*areas, WHOLE]}
    small = {key for key, n in counts.items() if n < K_SURVEY}
    return complementary_suppression(counts, [(areas, WHOLE)], small)


def survey_results(survey: Survey, *, suppress_small: bool = True) -> dict:
    """Every district of the survey's municipality, the respondents who named none, and the
    whole; small areas hidden unless suppress_small is off (planners and administrators)."""
    questions = list(survey.questions.prefetch_related("options"))
    districts = list(survey.municipality.districts.order_by("code", "name", "pk"))
    areas = [district.pk for district in districts] + [OUTSIDE]
    sums = kept_sums(survey)
    hidden = hidden_areas(sums, areas) if suppress_small else set()

    def of(key):
        return figures(sums.get(key), questions, suppressed=key in hidden)

    return {
        "survey": {"slug": survey.slug, "title": survey.title},
        "k_anonymity": K_SURVEY,
        "districts": [
            {"district": district_info(district), **of(district.pk)} for district in districts
        ],
        "no_district": of(OUTSIDE),
        "whole": of(WHOLE),
    }


# --- the survey in the district picture and the plan ---------------------------------------

INDICATORS = ("respondents", "suppressed", "safety_day", "safety_dark")


def latest_surveys(municipality, today) -> tuple[Survey | None, Survey | None]:
    """The municipality's latest survey that has opened, and the one before it."""
    surveys = list(
        Survey.objects.answerable()
        .in_municipality(municipality)
        .filter(opens_on__lte=today)
        .latest_first()[:2]
    )
    return (surveys + [None, None])[0], (surveys + [None, None])[1]


def indicators(area: dict, before: dict | None) -> dict:
    """An area's survey indicators, with the change of each mean since the previous survey
    (null when either is hidden or missing)."""
    result = {key: area[key] for key in INDICATORS}
    for kind in SCALE_KINDS:
        now = (area[kind] or {}).get("mean")
        then = ((before or {}).get(kind) or {}).get("mean")
        result[f"{kind}_change"] = now - then if now is not None and then is not None else None
    return result


def survey_about(survey: Survey | None) -> dict | None:
    if survey is None:
        return None
    return {
        "slug": survey.slug,
        "title": survey.title,
        "opens_on": survey.opens_on.isoformat(),
        "closes_on": survey.closes_on.isoformat(),
    }


def survey_indicators(municipality, today, *, suppress_small: bool = True) -> dict | None:
    """The latest survey's indicators per district and for the whole, compared with the
    previous survey's; None when the municipality has had no survey."""
    latest, previous = latest_surveys(municipality, today)
    if latest is None:
        return None
    now = survey_results(latest, suppress_small=suppress_small)
    before = survey_results(previous, suppress_small=suppress_small) if previous else None
    earlier = {row["district"]["id"]: row for row in (before or {}).get("districts", [])}
    return {
        "survey": survey_about(latest),
        "previous_survey": survey_about(previous),
        "k_anonymity": K_SURVEY,
        "districts": [
            {"district": row["district"], **indicators(row, earlier.get(row["district"]["id"]))}
            for row in now["districts"]
        ],
        "no_district": indicators(now["no_district"], (before or {}).get("no_district")),
        "whole": indicators(now["whole"], (before or {}).get("whole")),
    }
