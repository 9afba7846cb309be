# SPDX-License-Identifier: EUPL-1.2
"""The demo municipality's published safety plan, made by load_demo.

Priorities, actions in every state (their observations linked from the district they are
about, through the same service as the map's "Create action"), walks linked, a citizen
promise with the police. Made once: a plan with this title already there is kept as it is.
"""

from dataclasses import dataclass
from datetime import date, datetime

from demo.dates import DemoClock
from demo.patterns import HELSINKI
from geo.models import Municipality
from plans.models import ActionStatus, CitizenPromise, OwnerKind, PlanState, Priority, SafetyPlan
from plans.services import action_from_hotspot
from walks.models import Observation, SafetyWalk, Theme

DEMO_PLAN_TITLE = "Lyhtylän turvallisuussuunnitelma 2025–2029"

# theme, district code (None: the whole municipality), reason
PRIORITIES = [
    (
        "lighting",
        "02",
        "Asemanseudun alikulku ja pyörätiet ovat pimeitä; nuorten kävelyllä ne koettiin "
        "turvattomimmiksi paikoiksi.",
    ),
    (
        "feeling",
        None,
        "Asukaskyselyssä joka kolmas vastaaja vältti liikkumista illalla keskustan ulkopuolella.",
    ),
    ("traffic", "01", "Koulureittien suojatiet keskustassa: ylinopeuksia ja huono näkyvyys."),
    ("vandalism", "03", "Rannan uimarannan ja venesataman ilkivalta kesäöisin."),
]


@dataclass(frozen=True)
class DemoAction:
    title: str
    priority: int  # index in PRIORITIES
    district: str
    theme: str
    status: str
    owner_kind: str
    owner_name: str
    person: str
    deadline: date
    indicator: str = ""
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    walk_codes: tuple[str, ...] = ()


ACTIONS = [
    DemoAction(
        "Alikulun valaistuksen uusiminen",
        0,
        "02",
        "lighting",
        ActionStatus.DONE,
        OwnerKind.MUNICIPAL,
        "Kuntatekniikka, katuvalaistus",
        "Valaistusinsinööri Aino Virtanen",
        date(2025, 11, 30),
        "Avoimet valaistushavainnot alueella",
        40,
        10,
        12,
        ("DEMYUTH2",),
    ),
    DemoAction(
        "Aseman pyöräparkin lisävalaistus",
        0,
        "02",
        "lighting",
        ActionStatus.IN_PROGRESS,
        OwnerKind.MUNICIPAL,
        "Kuntatekniikka, katuvalaistus",
        "Valaistusinsinööri Aino Virtanen",
        date(2026, 6, 30),
        walk_codes=("DEMYUTH2", "DEMASUK2"),
    ),
    DemoAction(
        "Kameravalvonnan selvitys asemalle",
        1,
        "02",
        "feeling",
        ActionStatus.DELAYED,
        OwnerKind.POLICE,
        "Itä-Suomen poliisilaitos",
        "Ylikonstaapeli Mikko Laine",
        date(2025, 12, 31),
    ),
    DemoAction(
        "Koulureittien suojateiden korotus",
        2,
        "01",
        "traffic",
        ActionStatus.PLANNED,
        OwnerKind.MUNICIPAL,
        "Kuntatekniikka, kadut ja puistot",
        "Liikenneinsinööri Sari Koskinen",
        date(2026, 9, 30),
        "Ylinopeushavainnot koulureiteillä",
        25,
        5,
        walk_codes=("DEMSTAFF",),
    ),
    DemoAction(
        "Rannan yökävelyt vapaaehtoisten kanssa",
        3,
        "03",
        "vandalism",
        ActionStatus.IN_PROGRESS,
        OwnerKind.NGO,
        "Lyhtylän Nuorisoseura ry",
        "Toiminnanjohtaja Jussi Niemi",
        date(2026, 8, 31),
    ),
    DemoAction(
        "Venesataman vartiointi kesäviikonloppuina",
        3,
        "03",
        "vandalism",
        ActionStatus.CANCELLED,
        OwnerKind.BUSINESS,
        "Lyhtylän Vartiointi Oy",
        "",
        date(2025, 8, 31),
    ),
    DemoAction(
        "Kerrostalopihojen pensasleikkaukset",
        1,
        "04",
        "visibility",
        ActionStatus.PLANNED,
        OwnerKind.HOUSING,
        "Lyhtylän Vuokra-asunnot Oy",
        "Isännöitsijä Leena Heikkinen",
        date(2026, 5, 31),
    ),
]


def demo_plan(municipality: Municipality, clock: DemoClock) -> int:
    """The demo's published plan, its dates moved by `clock`; 1 when it was made now, 0
    when it was there."""
    if SafetyPlan.objects.filter(municipality=municipality, title=DEMO_PLAN_TITLE).exists():
        return 0
    plan = SafetyPlan.objects.create(
        municipality=municipality,
        title=DEMO_PLAN_TITLE,
        period_start=clock.day(date(2025, 6, 1)),
        period_end=clock.day(date(2029, 5, 31)),
        state=PlanState.PUBLISHED,
        published_at=clock.moment(datetime(2025, 10, 15, 12, 0, tzinfo=HELSINKI)),
        summary=(
            "Lyhtylän turvallisuussuunnitelma kokoaa turvallisuuskävelyjen, asukaskyselyn ja "
            "asukkaiden ilmoitusten havainnot. Valtuustokauden painopisteet ovat valaistus "
            "Asemanseudulla, turvallisuuden tunne koko kunnassa, koulureittien "
            "liikenneturvallisuus keskustassa ja ilkivalta Rantalassa.\n\n"
            "Toimenpiteitä seurataan vuosittain ja seuraava kävely tarkistaa, mikä muuttui."
        ),
    )
    districts = {d.code: d for d in municipality.districts.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    priorities = [
        Priority.objects.create(
            plan=plan,
            theme=themes[theme],
            district=districts.get(code) if code else None,
            reason=reason,
            order=n,
        )
        for n, (theme, code, reason) in enumerate(PRIORITIES, start=1)
    ]
    walks = {w.join_code: w for w in SafetyWalk.objects.filter(municipality=municipality)}
    for spec in ACTIONS:
        action = action_from_hotspot(
            plan,
            Observation.objects.in_theme(spec.theme),
            title=spec.title,
            district=districts[spec.district],
            filters={"theme": spec.theme},
            priority=priorities[spec.priority],
            status=spec.status,
            owner_kind=spec.owner_kind,
            owner_name=spec.owner_name,
            responsible_person=spec.person,
            deadline=clock.day(spec.deadline),
            indicator=spec.indicator,
            baseline=spec.baseline,
            target=spec.target,
            current_value=spec.current,
        )
        action.walks.set([walks[code] for code in spec.walk_codes if code in walks])
    promise = CitizenPromise.objects.create(
        plan=plan,
        title="Turvallisempi asemanseutu",
        text=(
            "Poliisi ja Lyhtylän kunta lupaavat yhdessä: poliisi partioi asemanseudulla "
            "perjantai- ja lauantai-iltaisin, kunta valaisee alikulun ja pyöräparkin, ja "
            "nuorisotyö jalkautuu asemalle viikoittain."
        ),
        police="Itä-Suomen poliisilaitos",
    )
    promise.priorities.set([priorities[0], priorities[1]])
    return 1
