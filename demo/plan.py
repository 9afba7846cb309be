# SPDX-License-Identifier: EUPL-1.2
"""The demo municipality's published safety plan, made by load_demo.

Priorities, actions in every state (their observations linked from the district they are
about, through the same service as the map's "Create action"), walks linked, a citizen
promise with the police, every text in Finnish, Swedish and English, published once
everything is in. Made once: a plan with this title already there is kept as it is.
"""

from dataclasses import dataclass
from datetime import date, datetime

from demo.dates import DemoClock
from demo.patterns import HELSINKI
from geo.models import Municipality
from plans.models import ActionStatus, CitizenPromise, OwnerKind, Priority, SafetyPlan
from plans.services import action_from_hotspot
from walks.models import Observation, SafetyWalk, Theme

# Texts are (Finnish, Swedish, English). The title names the years of the plan's period,
# which move with the day of the demo's first load.
DEMO_PLAN_TITLE = "Lyhtylän turvallisuussuunnitelma"
PLAN_TITLE = (
    DEMO_PLAN_TITLE + " {start}–{end}",
    "Lyhtyläs trygghetsplan {start}–{end}",
    "Lyhtylä safety plan {start}–{end}",
)
SUMMARY = (
    "Lyhtylän turvallisuussuunnitelma kokoaa turvallisuuskävelyjen, asukaskyselyn ja "
    "asukkaiden ilmoitusten havainnot. Valtuustokauden painopisteet ovat valaistus "
    "Asemanseudulla, turvallisuuden tunne koko kunnassa, koulureittien "
    "liikenneturvallisuus keskustassa ja ilkivalta Rantalassa.\n\n"
    "Toimenpiteitä seurataan vuosittain ja seuraava kävely tarkistaa, mikä muuttui.",
    "Lyhtyläs trygghetsplan samlar iakttagelserna från trygghetsvandringarna, "
    "invånarenkäten och invånarnas anmälningar. Fullmäktigeperiodens prioriteringar är "
    "belysningen kring stationen, tryggheten i hela kommunen, trafiksäkerheten på "
    "skolvägarna i centrum och skadegörelsen i Rantala.\n\n"
    "Åtgärderna följs upp varje år och nästa vandring kontrollerar vad som förändrats.",
    "Lyhtylä's safety plan brings together what the safety walks, the residents' survey "
    "and residents' reports found. The council term's priorities are lighting around the "
    "station, the feeling of safety in the whole municipality, traffic safety on school "
    "routes in the centre and vandalism in Rantala.\n\n"
    "The actions are followed up every year, and the next walk checks what has changed.",
)

# theme, district code (None: the whole municipality), reason
PRIORITIES = [
    (
        "lighting",
        "02",
        (
            "Asemanseudun alikulku ja pyörätiet ovat pimeitä; nuorten kävelyllä ne koettiin "
            "turvattomimmiksi paikoiksi.",
            "Underfarten och cykelvägarna vid stationen är mörka; på ungdomarnas vandring "
            "upplevdes de som de otryggaste platserna.",
            "The station underpass and cycle paths are dark; on the youth walk they were "
            "felt to be the least safe places.",
        ),
    ),
    (
        "feeling",
        None,
        (
            "Asukaskyselyssä joka kolmas vastaaja vältti liikkumista illalla keskustan "
            "ulkopuolella.",
            "I invånarenkäten undvek var tredje svarande att röra sig utanför centrum på kvällen.",
            "In the residents' survey one respondent in three avoided going out in the "
            "evening outside the centre.",
        ),
    ),
    (
        "traffic",
        "01",
        (
            "Koulureittien suojatiet keskustassa: ylinopeuksia ja huono näkyvyys.",
            "Övergångsställena på skolvägarna i centrum: fortkörning och dålig sikt.",
            "Pedestrian crossings on school routes in the centre: speeding and poor visibility.",
        ),
    ),
    (
        "vandalism",
        "03",
        (
            "Rannan uimarannan ja venesataman ilkivalta kesäöisin.",
            "Skadegörelse vid badstranden och båthamnen i Rantala under sommarnätterna.",
            "Vandalism at Rantala's beach and marina on summer nights.",
        ),
    ),
]


def in_languages(name: str, texts: tuple) -> dict:
    """The fi, sv and en columns of one text."""
    return dict(zip([f"{name}_fi", f"{name}_sv", f"{name}_en"], texts, strict=True))


@dataclass(frozen=True)
class DemoAction:
    title: tuple[str, str, str]
    priority: int  # index in PRIORITIES
    district: str
    theme: str
    status: str
    owner_kind: str
    owner_name: str
    person: str
    deadline: date
    indicator: tuple[str, str, str] = ("", "", "")
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    walk_codes: tuple[str, ...] = ()


ACTIONS = [
    DemoAction(
        (
            "Alikulun valaistuksen uusiminen",
            "Ny belysning i underfarten",
            "New lighting in the underpass",
        ),
        0,
        "02",
        "lighting",
        ActionStatus.DONE,
        OwnerKind.MUNICIPAL,
        "Kuntatekniikka, katuvalaistus",
        "Valaistusinsinööri Aino Virtanen",
        date(2025, 11, 30),
        (
            "Avoimet valaistushavainnot alueella",
            "Öppna belysningsobservationer i området",
            "Open lighting observations in the area",
        ),
        40,
        10,
        12,
        ("DEMYUTH2",),
    ),
    DemoAction(
        (
            "Aseman pyöräparkin lisävalaistus",
            "Mer belysning vid stationens cykelparkering",
            "More lighting at the station bicycle park",
        ),
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
        (
            "Kameravalvonnan selvitys asemalle",
            "Utredning om kameraövervakning vid stationen",
            "Study of camera surveillance at the station",
        ),
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
        (
            "Koulureittien suojateiden korotus",
            "Upphöjda övergångsställen på skolvägarna",
            "Raised crossings on school routes",
        ),
        2,
        "01",
        "traffic",
        ActionStatus.PLANNED,
        OwnerKind.MUNICIPAL,
        "Kuntatekniikka, kadut ja puistot",
        "Liikenneinsinööri Sari Koskinen",
        date(2026, 9, 30),
        (
            "Ylinopeushavainnot koulureiteillä",
            "Observationer av fortkörning på skolvägarna",
            "Speeding observations on school routes",
        ),
        25,
        5,
        walk_codes=("DEMSTAFF",),
    ),
    DemoAction(
        (
            "Rannan yökävelyt vapaaehtoisten kanssa",
            "Nattvandringar vid stranden med frivilliga",
            "Night walks on the shore with volunteers",
        ),
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
        (
            "Venesataman vartiointi kesäviikonloppuina",
            "Bevakning av båthamnen under sommarveckoslut",
            "Guarding the marina on summer weekends",
        ),
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
        (
            "Kerrostalopihojen pensasleikkaukset",
            "Buskbeskärning på höghusgårdarna",
            "Pruning bushes in apartment block yards",
        ),
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
    made = SafetyPlan.objects.filter(
        municipality=municipality, title_fi__startswith=DEMO_PLAN_TITLE + " "
    )
    if made.exists():
        return 0
    start, end = clock.day(date(2025, 6, 1)), clock.day(date(2029, 5, 31))
    title = tuple(text.format(start=start.year, end=end.year) for text in PLAN_TITLE)
    plan = SafetyPlan.objects.create(
        municipality=municipality,
        period_start=start,
        period_end=end,
        **in_languages("title", title),
        **in_languages("summary", SUMMARY),
    )
    districts = {d.code: d for d in municipality.districts.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    priorities = [
        Priority.objects.create(
            plan=plan,
            theme=themes[theme],
            district=districts.get(code) if code else None,
            order=n,
            **in_languages("reason", reason),
        )
        for n, (theme, code, reason) in enumerate(PRIORITIES, start=1)
    ]
    walks = {w.join_code: w for w in SafetyWalk.objects.filter(municipality=municipality)}
    for spec in ACTIONS:
        action = action_from_hotspot(
            plan,
            Observation.objects.in_theme(spec.theme),
            district=districts[spec.district],
            filters={"theme": spec.theme},
            priority=priorities[spec.priority],
            status=spec.status,
            owner_kind=spec.owner_kind,
            owner_name=spec.owner_name,
            responsible_person=spec.person,
            deadline=clock.day(spec.deadline),
            **in_languages("title", spec.title),
            **in_languages("indicator", spec.indicator),
            baseline=spec.baseline,
            target=spec.target,
            current_value=spec.current,
        )
        action.walks.set([walks[code] for code in spec.walk_codes if code in walks])
    promise = CitizenPromise.objects.create(
        plan=plan,
        police="Itä-Suomen poliisilaitos",
        **in_languages(
            "title",
            (
                "Turvallisempi asemanseutu",
                "Tryggare stationsområde",
                "A safer station area",
            ),
        ),
        **in_languages(
            "text",
            (
                "Poliisi ja Lyhtylän kunta lupaavat yhdessä: poliisi partioi asemanseudulla "
                "perjantai- ja lauantai-iltaisin, kunta valaisee alikulun ja pyöräparkin, ja "
                "nuorisotyö jalkautuu asemalle viikoittain.",
                "Polisen och Lyhtylä kommun lovar tillsammans: polisen patrullerar kring "
                "stationen på fredags- och lördagskvällar, kommunen lyser upp underfarten "
                "och cykelparkeringen, och ungdomsarbetet finns vid stationen varje vecka.",
                "The police and the municipality of Lyhtylä promise together: the police "
                "patrol around the station on Friday and Saturday evenings, the "
                "municipality lights the underpass and the bicycle park, and youth workers "
                "are at the station every week.",
            ),
        ),
    )
    promise.priorities.set([priorities[0], priorities[1]])
    # Published once everything is in: the public reads this revision (plans.published).
    plan.publish(moment=clock.moment(datetime(2025, 10, 15, 12, 0, tzinfo=HELSINKI)))
    return 1
