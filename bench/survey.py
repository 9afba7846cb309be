# SPDX-License-Identifier: EUPL-1.2
"""A survey's results over 50,000 answers, against the same figures in one SQL statement.

    .venv/bin/python -m bench.run --only survey

The survey: the default template (surveys.template) in the demo municipality, slug
`bench-50k`, made once in the bench database and reused. Its 50,000 responses are generated
in PostgreSQL with a fixed seed (setseed), so every run and every copy of the bench
database holds the same answers: a district of residence for 90 % (10 % say none), the two
perceived-safety questions (1–5, leaning to the safe side by day), an age group, the
multiple choice of what makes one feel unsafe (each reason about one in three), the single
choice of avoiding the evening, and for 40 % one or two unsafe places on the map with a
reason. Map answers are not made observations (the bench's observations stay as they are), and it is
dated 2100, so the picture and the plan do not show it.

Lyhty: analysis.survey.survey_results(survey), in-process, as the results API and the plan
page call it (small areas hidden), computed: the cache is emptied before each run (asked
again, the sums come from the cache: a second figure). Raw: RAW_RESULTS, one statement
giving the same figures per district, for the respondents who named none and for the
whole: respondents, the scale questions' n, mean and 95 % interval (t by the Cornish–Fisher
expansion, as analysis.survey above 30 degrees of freedom), each option's count and share
of those who answered the question, and the reasons given for places. The two are checked to agree
before they are timed.
"""

import math
import statistics
import time
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction

SLUG = "bench-50k"
RESPONSES = 50_000
SEED = 0.2026
# Far ahead, so that it never is the demo's latest survey (analysis.survey.latest_surveys):
# the district picture and the plan that other benches measure stay as they were.
OPENS_ON, CLOSES_ON = date(2100, 1, 1), date(2100, 2, 28)

# Everything in one transaction after setseed(): the same rows every time.
GENERATE = """
SELECT setseed(%(seed)s);
INSERT INTO surveys_response (survey_id, uuid, device, home_district_id, language, source,
                              submitted_at)
SELECT %(survey)s, gen_random_uuid(), md5('bench-50k-' || i),
       CASE WHEN random() < 0.1 THEN NULL
            ELSE (%(districts)s::bigint[])[1 + floor(random() * %(n_districts)s)::int] END,
       'fi', 'import', now()
FROM generate_series(1, %(responses)s) AS i ORDER BY i;
CREATE TEMP TABLE bench_r ON COMMIT DROP AS
    SELECT id FROM surveys_response WHERE survey_id = %(survey)s ORDER BY id;
INSERT INTO surveys_answer (response_id, question_id, number, option_id, text)
SELECT r.id, q.id, CASE WHEN q.kind = 'safety_day' THEN 1 + floor(sqrt(random()) * 5)::int
                        ELSE 1 + floor(random() * 5)::int END, NULL, ''
FROM bench_r r CROSS JOIN surveys_question q
WHERE q.survey_id = %(survey)s AND q.kind IN ('safety_day', 'safety_dark') AND random() < 0.94
ORDER BY r.id, q.id;
INSERT INTO surveys_answer (response_id, question_id, number, option_id, text)
SELECT r.id, q.id, NULL, (SELECT o.id FROM surveys_option o WHERE o.question_id = q.id
                          ORDER BY o."order", o.id OFFSET floor(random() * (
                              SELECT count(*) FROM surveys_option c WHERE c.question_id = q.id
                          ))::int LIMIT 1), ''
FROM bench_r r CROSS JOIN surveys_question q
WHERE q.survey_id = %(survey)s AND q.kind IN ('single', 'age_group') AND random() < 0.85
ORDER BY r.id, q.id;
INSERT INTO surveys_answer (response_id, question_id, number, option_id, text)
SELECT r.id, o.question_id, NULL, o.id, ''
FROM bench_r r CROSS JOIN surveys_option o JOIN surveys_question q ON q.id = o.question_id
WHERE q.survey_id = %(survey)s AND q.kind = 'multiple' AND random() < 0.33
ORDER BY r.id, o.id;
INSERT INTO surveys_place (response_id, question_id, geom, reason_id, time_of_day, note)
SELECT r.id, q.id,
       ST_SetSRID(ST_MakePoint(%(x0)s + random() * (%(x1)s - %(x0)s),
                               %(y0)s + random() * (%(y1)s - %(y0)s)), 4326),
       (SELECT o.id FROM surveys_option o WHERE o.question_id = q.id
        ORDER BY o."order", o.id OFFSET floor(random() * 4)::int LIMIT 1),
       (ARRAY['daylight', 'dusk', 'dark', 'always'])[1 + floor(random() * 4)::int], ''
FROM bench_r r CROSS JOIN generate_series(1, 2) AS k
     JOIN surveys_question q ON q.survey_id = %(survey)s AND q.code = 'unsafe_places'
WHERE random() < 0.2
ORDER BY r.id, k;
"""

# The same figures as analysis.survey.survey_results, in one statement: per area (the
# district's id, 'none' for no district, 'whole'), respondents, the scale questions and
# the counts of options and reasons with their shares.
RAW_RESULTS = """
WITH r AS (
    SELECT id, coalesce(home_district_id::text, 'none') AS area
    FROM surveys_response WHERE survey_id = %(survey)s
), respondents AS (
    SELECT area, count(*) AS n FROM r GROUP BY area
), scale AS (
    SELECT r.area, q.kind, count(*) AS n, sum(a.number)::float8 AS s,
           sum(a.number * a.number)::float8 AS ss
    FROM surveys_answer a JOIN r ON r.id = a.response_id
         JOIN surveys_question q ON q.id = a.question_id
    WHERE q.kind IN ('safety_day', 'safety_dark') AND a.number IS NOT NULL
    GROUP BY r.area, q.kind
), chosen AS (
    SELECT r.area, a.question_id, a.option_id, count(DISTINCT a.response_id) AS n
    FROM surveys_answer a JOIN r ON r.id = a.response_id
         JOIN surveys_question q ON q.id = a.question_id
    WHERE q.kind IN ('single', 'multiple', 'age_group') AND a.option_id IS NOT NULL
    GROUP BY r.area, a.question_id, a.option_id
), answered AS (
    SELECT r.area, a.question_id, count(DISTINCT a.response_id) AS n
    FROM surveys_answer a JOIN r ON r.id = a.response_id
         JOIN surveys_question q ON q.id = a.question_id
    WHERE q.kind IN ('single', 'multiple', 'age_group') AND a.option_id IS NOT NULL
    GROUP BY r.area, a.question_id
), reasons AS (
    SELECT r.area, p.question_id, p.reason_id, count(*) AS n
    FROM surveys_place p JOIN r ON r.id = p.response_id
    WHERE p.reason_id IS NOT NULL
    GROUP BY r.area, p.question_id, p.reason_id
), -- The whole: each respondent is in one area, so the areas' counts and sums add up.
all_respondents AS (
    SELECT area, n FROM respondents UNION ALL SELECT 'whole', sum(n) FROM respondents
), all_scale AS (
    SELECT area, kind, n, s, ss FROM scale
    UNION ALL SELECT 'whole', kind, sum(n), sum(s), sum(ss) FROM scale GROUP BY kind
), all_chosen AS (
    SELECT area, question_id, option_id, n FROM chosen
    UNION ALL SELECT 'whole', question_id, option_id, sum(n) FROM chosen
    GROUP BY question_id, option_id
), all_answered AS (
    SELECT area, question_id, n FROM answered
    UNION ALL SELECT 'whole', question_id, sum(n) FROM answered GROUP BY question_id
), all_reasons AS (
    SELECT area, question_id, reason_id, n FROM reasons
    UNION ALL SELECT 'whole', question_id, reason_id, sum(n) FROM reasons
    GROUP BY question_id, reason_id
), z AS (SELECT 1.959963984540054::float8 AS z)
SELECT 'respondents', area, NULL, NULL, n, NULL, NULL, NULL FROM all_respondents
UNION ALL
SELECT 'scale', area, kind, NULL, n, mean, mean - half, mean + half
FROM all_scale,
     LATERAL (SELECT s / n AS mean) AS m,
     LATERAL (SELECT z + (z ^ 3 + z) / (4 * (n - 1))
                + (5 * z ^ 5 + 16 * z ^ 3 + 3 * z) / (96 * (n - 1) ^ 2)
                + (3 * z ^ 7 + 19 * z ^ 5 + 17 * z ^ 3 - 15 * z) / (384 * (n - 1) ^ 3) AS t
              FROM z) AS quantile,
     LATERAL (SELECT t * sqrt(greatest(0, (ss - n * mean * mean) / (n - 1)) / n) AS half)
         AS spread
WHERE n > 1
UNION ALL
SELECT 'choice', c.area, c.question_id::text, c.option_id::text, c.n,
       c.n::float8 / w.n, NULL, NULL
FROM all_chosen c JOIN all_answered w ON w.area = c.area AND w.question_id = c.question_id
UNION ALL
SELECT 'reason', area, question_id::text, reason_id::text, n, NULL, NULL, NULL
FROM all_reasons
"""


def bench_survey_data():
    """The bench's survey with its 50,000 responses, generated once."""
    from geo.models import Municipality
    from surveys.models import Survey
    from surveys.template import from_template

    Survey.objects.filter(slug=SLUG).update(opens_on=OPENS_ON, closes_on=CLOSES_ON)
    survey = Survey.objects.filter(slug=SLUG).first()
    if survey is not None and survey.responses.count() == RESPONSES:
        return survey
    demo = Municipality.objects.get(code="demo")
    with transaction.atomic():
        if survey is not None:
            survey.delete()
        survey = from_template(
            demo,
            SLUG,
            OPENS_ON,
            CLOSES_ON,
            map_answers_to_observations=False,
        )
        x0, y0, x1, y1 = demo.geom.extent
        districts = list(demo.districts.order_by("pk").values_list("pk", flat=True))
        with connection.cursor() as cursor:
            parameters = {
                "seed": SEED,
                "survey": survey.pk,
                "districts": districts,
                "n_districts": len(districts),
                "responses": RESPONSES,
                "x0": x0,
                "y0": y0,
                "x1": x1,
                "y1": y1,
            }
            for statement in GENERATE.split(";\n"):
                if statement.strip():
                    cursor.execute(statement, parameters)
    with connection.cursor() as cursor:
        for table in ("surveys_response", "surveys_answer", "surveys_place"):
            cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 - our own table names
    return survey


def raw_results(survey) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(RAW_RESULTS, {"survey": survey.pk})
        return cursor.fetchall()


def close(a, b) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    )


def check_agreement(survey, results: dict, raw: list[tuple]):
    """Every raw figure is Lyhty's (the planner's view: nothing hidden)."""
    from surveys.models import Option, Question

    questions = {str(q.pk): q.code for q in Question.objects.filter(survey=survey)}
    options = {str(o.pk): o.code for o in Option.objects.filter(question__survey=survey)}
    areas = {str(row["district"]["id"]): row for row in results["districts"]}
    areas |= {"none": results["no_district"], "whole": results["whole"]}
    checked = 0
    for what, area, key, item, n, value, low, high in raw:
        mine = areas[area]
        n = int(n)
        if what == "respondents":
            assert mine["respondents"] == n, (area, mine["respondents"], n)
        elif what == "scale":
            figures = mine[key]
            assert figures["n"] == n and close(figures["mean"], value), (area, key, figures)
            assert close(figures["ci_low"], low) and close(figures["ci_high"], high), figures
        elif what == "choice":
            choice = next(c for c in mine["choices"] if c["question"] == questions[key])
            option = next(o for o in choice["options"] if o["option"] == options[item])
            assert option["count"] == n and close(option["share"], value), (area, option)
        else:
            given = {(r["question"], r["reason"]): r["count"] for r in mine["top_reasons"]}
            assert given[(questions[key], options[item])] == n, (area, key, item)
        checked += 1
    return checked


def bench_survey(repeat: int) -> dict:
    from analysis.survey import survey_results

    started = time.perf_counter()
    survey = bench_survey_data()
    made_s = time.perf_counter() - started
    checked = check_agreement(
        survey, survey_results(survey, suppress_small=False), raw_results(survey)
    )

    def lyhty():
        return survey_results(survey)

    def raw():
        return raw_results(survey)

    lyhty(), raw()  # warm: plans cached, pages in memory
    lyhty_times, raw_times, kept_times = [], [], []
    for _ in range(repeat):  # interleaved, so both see the same load
        cache.clear()  # computed, not the sums kept from the run before (analysis.survey)
        for function, times in ((lyhty, lyhty_times), (raw, raw_times), (lyhty, kept_times)):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM surveys_answer a JOIN surveys_response r"
            " ON r.id = a.response_id WHERE r.survey_id = %(s)s),"
            " (SELECT count(*) FROM surveys_place p JOIN surveys_response r"
            " ON r.id = p.response_id WHERE r.survey_id = %(s)s)",
            {"s": survey.pk},
        )
        answers, places = cursor.fetchone()
    return {
        "responses": survey.responses.count(),
        "answers": answers,
        "places": places,
        "checked": checked,
        "made_s": made_s,
        "lyhty_ms": statistics.median(lyhty_times) * 1000,
        "raw_ms": statistics.median(raw_times) * 1000,
        "ratio": statistics.median(lyhty_times) / statistics.median(raw_times),
        "kept_ms": statistics.median(kept_times) * 1000,
        "repeat": repeat,
    }


def report(r: dict) -> list[str]:
    return [
        f"| survey results, {r['responses']:,} responses ({r['answers']:,} answers, "
        f"{r['places']:,} places), per district and whole, small areas hidden, in-process "
        f"(median of {r['repeat']}; {r['checked']} figures checked against the raw) | "
        f"{r['lyhty_ms']:.0f} ms | {r['raw_ms']:.0f} ms (one statement) | "
        f"{r['ratio']:.2f}× | ≤ 1.5× |",
        f"| the same results asked again (the sums kept in the cache until a response comes) "
        f"| {r['kept_ms']:.0f} ms | | | |",
    ]
