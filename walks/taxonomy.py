# SPDX-License-Identifier: EUPL-1.2
"""The seed taxonomy: themes, categories and responsible units in fi/sv/en.

This is only the starting point a new installation gets (data migration walks 0003);
administrators edit categories in the admin afterwards, and no other code depends on
these codes.
"""

# code: (Finnish, Swedish, English)
UNITS = {
    "street_lighting": ("Katuvalaistus", "Gatubelysning", "Street lighting"),
    "streets_parks": ("Katu- ja puistoylläpito", "Gatu- och parkunderhåll", "Streets and parks"),
    "traffic_planning": ("Liikennesuunnittelu", "Trafikplanering", "Traffic planning"),
    "premises": ("Tilapalvelut", "Lokalförvaltning", "Premises services"),
    "youth_services": ("Nuorisopalvelut", "Fritidsgårdar och ungdom", "Youth services"),
    "safety_coordination": (
        "Turvallisuuskoordinointi",
        "Trygghetssamordning",
        "Safety coordination",
    ),
    "police": ("Poliisi", "Polisen", "Police"),
}

# code: (order, Finnish, Swedish, English)
THEMES = {
    "lighting": (1, "Valaistus", "Belysning", "Lighting"),
    "road_condition": (
        2,
        "Katujen ja kulkureittien kunto",
        "Gators och gångvägars skick",
        "Road and path condition",
    ),
    "traffic": (3, "Liikenneturvallisuus", "Trafiksäkerhet", "Traffic safety"),
    "vandalism": (
        4,
        "Ilkivalta ja häiriöt",
        "Skadegörelse och störningar",
        "Vandalism and disorder",
    ),
    "visibility": (5, "Näkyvyys ja ympäristö", "Sikt och omgivning", "Visibility and surroundings"),
    "accessibility": (6, "Esteettömyys", "Tillgänglighet", "Accessibility"),
    "feeling": (7, "Turvallisuuden tunne", "Trygghetskänsla", "Feeling of safety"),
    "other": (8, "Muu", "Övrigt", "Other"),
}

# Each category: code, theme, names fi/sv/en, help fi/sv/en, unit, Open311 code, icon,
# and flags. Sensitive categories are internal unless staff make an observation public.
CATEGORIES = [
    dict(
        code="lamp_out",
        theme="lighting",
        unit="street_lighting",
        open311="101",
        icon="lamp",
        names=("Lamppu ei pala", "Lampan lyser inte", "Lamp out"),
        help=(
            "Katuvalo on sammunut tai vilkkuu.",
            "En gatlykta är släckt eller blinkar.",
            "A street lamp is out or flickering.",
        ),
    ),
    dict(
        code="dark_spot",
        theme="lighting",
        unit="street_lighting",
        open311="102",
        icon="dark",
        names=("Pimeä kohta", "Mörk plats", "Dark spot"),
        help=(
            "Paikka tai reitin osa, jolta valaistus puuttuu.",
            "En plats eller sträcka som saknar belysning.",
            "A place or stretch of way with no lighting.",
        ),
    ),
    dict(
        code="glare",
        theme="lighting",
        unit="street_lighting",
        open311="103",
        icon="glare",
        names=("Häikäisevä valo", "Bländande ljus", "Glaring light"),
        help=(
            "Valo häikäisee kulkijaa tai kuljettajaa.",
            "Ljuset bländar gående eller förare.",
            "A light dazzles walkers or drivers.",
        ),
    ),
    dict(
        code="pothole",
        theme="road_condition",
        unit="streets_parks",
        open311="201",
        icon="pothole",
        names=("Kuoppa", "Grop", "Pothole"),
        help=(
            "Kuoppa tai halkeama ajoradalla tai kevyen liikenteen väylällä.",
            "En grop eller spricka i körbanan eller på gång- och cykelvägen.",
            "A hole or crack in the road or the footpath.",
        ),
    ),
    dict(
        code="uneven_path",
        theme="road_condition",
        unit="streets_parks",
        open311="202",
        icon="path",
        names=("Epätasainen kulkuväylä", "Ojämn gångväg", "Uneven path"),
        help=(
            "Kompastumisen vaara: irtokiviä, routavaurioita, juuria.",
            "Risk att snubbla: lösa stenar, tjälskador, rötter.",
            "A trip hazard: loose stones, frost damage, roots.",
        ),
    ),
    dict(
        code="ice_snow",
        theme="road_condition",
        unit="streets_parks",
        open311="203",
        icon="snow",
        names=("Liukkaus tai auraamatta", "Halka eller oplogat", "Ice or unploughed snow"),
        help=(
            "Liukas tai auraamaton kohta.",
            "Halt eller oplogat ställe.",
            "A slippery or unploughed spot.",
        ),
    ),
    dict(
        code="broken_railing",
        theme="road_condition",
        unit="streets_parks",
        open311="204",
        icon="railing",
        names=(
            "Rikkinäinen kaide tai porras",
            "Trasigt räcke eller trappa",
            "Broken railing or step",
        ),
        help=(
            "Kaide, porras tai luiska on rikki.",
            "Ett räcke, en trappa eller ramp är trasig.",
            "A railing, step or ramp is broken.",
        ),
    ),
    dict(
        code="dangerous_crossing",
        theme="traffic",
        unit="traffic_planning",
        open311="301",
        icon="crossing",
        names=("Vaarallinen suojatie", "Farligt övergångsställe", "Dangerous crossing"),
        help=(
            "Suojatie tai risteys, jonka ylittäminen tuntuu vaaralliselta.",
            "Ett övergångsställe eller en korsning som känns farlig att korsa.",
            "A crossing or junction that feels dangerous to cross.",
        ),
    ),
    dict(
        code="speeding",
        theme="traffic",
        unit="police",
        open311="302",
        icon="speed",
        names=("Ylinopeudet", "Fortkörning", "Speeding"),
        help=(
            "Autot ajavat usein liian lujaa.",
            "Bilar kör ofta för fort.",
            "Cars often drive too fast.",
        ),
    ),
    dict(
        code="missing_sign",
        theme="traffic",
        unit="traffic_planning",
        open311="303",
        icon="sign",
        names=(
            "Puuttuva tai peittynyt merkki",
            "Saknad eller skymd skylt",
            "Missing or hidden sign",
        ),
        help=(
            "Liikennemerkki puuttuu, on kaatunut tai peittynyt.",
            "En vägskylt saknas, har vält eller är skymd.",
            "A traffic sign is missing, knocked down or hidden.",
        ),
    ),
    dict(
        code="graffiti",
        theme="vandalism",
        unit="premises",
        open311="401",
        icon="graffiti",
        names=("Töhryt", "Klotter", "Graffiti"),
        help=(
            "Töhryjä tai tarroja seinissä, kalusteissa tai kylteissä.",
            "Klotter eller klistermärken på väggar, möbler eller skyltar.",
            "Graffiti or stickers on walls, furniture or signs.",
        ),
    ),
    dict(
        code="damaged_property",
        theme="vandalism",
        unit="premises",
        open311="402",
        icon="broken",
        names=("Rikottu omaisuus", "Förstörd egendom", "Damaged property"),
        help=(
            "Rikottu penkki, lasi, katos tai muu rakenne.",
            "En förstörd bänk, ruta, busskur eller annan konstruktion.",
            "A broken bench, window, shelter or other structure.",
        ),
    ),
    dict(
        code="litter",
        theme="vandalism",
        unit="streets_parks",
        open311="403",
        icon="litter",
        names=("Roskaantuminen", "Nedskräpning", "Litter"),
        help=(
            "Roskia, lasinsiruja tai täysi roska-astia.",
            "Skräp, glassplitter eller en full papperskorg.",
            "Litter, broken glass or an overflowing bin.",
        ),
    ),
    dict(
        code="disturbance",
        theme="vandalism",
        unit="police",
        open311="404",
        icon="disturbance",
        sensitive=True,
        names=("Häiriökäyttäytyminen", "Störande beteende", "Disturbance"),
        help=(
            "Toistuvaa häiriötä, meteliä tai uhkaavaa käytöstä.",
            "Återkommande störningar, oväsen eller hotfullt beteende.",
            "Repeated disturbance, noise or threatening behaviour.",
        ),
    ),
    dict(
        code="drugs",
        theme="vandalism",
        unit="police",
        open311="405",
        icon="drugs",
        sensitive=True,
        names=(
            "Päihteiden käyttö tai kauppa",
            "Droganvändning eller langning",
            "Drug use or dealing",
        ),
        help=(
            "Paikka, jossa käytetään tai myydään päihteitä.",
            "En plats där droger används eller säljs.",
            "A place where drugs are used or sold.",
        ),
    ),
    dict(
        code="overgrown",
        theme="visibility",
        unit="streets_parks",
        open311="501",
        icon="bush",
        names=("Umpeenkasvanut kasvillisuus", "Igenvuxen vegetation", "Overgrown vegetation"),
        help=(
            "Pensaat tai puut peittävät näkyvyyden tai valon.",
            "Buskar eller träd skymmer sikten eller ljuset.",
            "Bushes or trees block the view or the light.",
        ),
    ),
    dict(
        code="hiding_place",
        theme="visibility",
        unit="streets_parks",
        open311="502",
        icon="hide",
        names=("Piiloutumispaikka", "Gömställe", "Hiding place"),
        help=(
            "Katvealue, jossa joku voi piiloutua.",
            "En skymd plats där någon kan gömma sig.",
            "A blind spot where someone could hide.",
        ),
    ),
    dict(
        code="blocked_view",
        theme="visibility",
        unit="traffic_planning",
        open311="503",
        icon="eye",
        names=("Näkyvyyttä estävä este", "Skymd sikt", "Blocked view"),
        help=(
            "Aita, lumikasa tai rakennelma estää näkyvyyden.",
            "Ett staket, en snöhög eller en konstruktion skymmer sikten.",
            "A fence, snow heap or structure blocks the view.",
        ),
    ),
    dict(
        code="high_kerb",
        theme="accessibility",
        unit="streets_parks",
        open311="601",
        icon="kerb",
        names=("Korkea reunakivi", "Hög trottoarkant", "High kerb"),
        help=(
            "Reunakivi estää pyörätuolin, rollaattorin tai lastenvaunujen kulun.",
            "Kanten stoppar rullstol, rollator eller barnvagn.",
            "The kerb stops a wheelchair, walker or pram.",
        ),
    ),
    dict(
        code="obstacle",
        theme="accessibility",
        unit="streets_parks",
        open311="602",
        icon="obstacle",
        names=("Este kulkuväylällä", "Hinder på gångvägen", "Obstacle on the path"),
        help=(
            "Kulkuväylällä on este, esimerkiksi pysäköity auto tai kyltti.",
            "Något står i vägen, till exempel en parkerad bil eller en skylt.",
            "Something blocks the way, such as a parked car or a sign.",
        ),
    ),
    dict(
        code="no_rest",
        theme="accessibility",
        unit="streets_parks",
        open311="603",
        icon="bench",
        names=("Ei levähdyspaikkaa", "Saknar viloplats", "Nowhere to rest"),
        help=(
            "Pitkällä matkalla ei ole penkkiä.",
            "Ingen bänk på en lång sträcka.",
            "No bench along a long stretch.",
        ),
    ),
    dict(
        code="unsafe_place",
        theme="feeling",
        unit="safety_coordination",
        open311="701",
        icon="unsafe",
        names=("Turvaton paikka", "Otrygg plats", "Unsafe place"),
        help=(
            "Paikka, jossa tunnet olosi turvattomaksi. Kerro miksi.",
            "En plats där du känner dig otrygg. Berätta varför.",
            "A place where you feel unsafe. Say why.",
        ),
    ),
    dict(
        code="safe_place",
        theme="feeling",
        unit="safety_coordination",
        open311="702",
        icon="safe",
        positive=True,
        names=(
            "Turvallinen ja viihtyisä paikka",
            "Trygg och trivsam plats",
            "Safe and pleasant place",
        ),
        help=(
            "Paikka, jossa on hyvä ja turvallinen olla.",
            "En plats där det känns bra och tryggt att vara.",
            "A place that feels good and safe to be in.",
        ),
    ),
    dict(
        code="other",
        theme="other",
        unit="safety_coordination",
        open311="801",
        icon="other",
        names=("Muu havainto", "Annan iakttagelse", "Other observation"),
        help=(
            "Jokin muu turvallisuuteen liittyvä asia.",
            "Något annat som rör tryggheten.",
            "Something else about safety.",
        ),
    ),
]


def seed(theme_model, category_model, unit_model) -> dict[str, int]:
    """Create what is missing; leave what administrators have edited alone."""
    created = {"units": 0, "themes": 0, "categories": 0}
    units = {}
    for code, (fi, sv, en) in UNITS.items():
        units[code], was_created = unit_model.objects.get_or_create(
            code=code, defaults={"name_fi": fi, "name_sv": sv, "name_en": en}
        )
        created["units"] += was_created
    themes = {}
    for code, (order, fi, sv, en) in THEMES.items():
        themes[code], was_created = theme_model.objects.get_or_create(
            code=code, defaults={"order": order, "name_fi": fi, "name_sv": sv, "name_en": en}
        )
        created["themes"] += was_created
    for order, spec in enumerate(CATEGORIES):
        fi, sv, en = spec["names"]
        help_fi, help_sv, help_en = spec["help"]
        _category, was_created = category_model.objects.get_or_create(
            code=spec["code"],
            defaults={
                "theme": themes[spec["theme"]],
                "name_fi": fi,
                "name_sv": sv,
                "name_en": en,
                "help_fi": help_fi,
                "help_sv": help_sv,
                "help_en": help_en,
                "default_unit": units[spec["unit"]],
                "open311_code": spec["open311"],
                "icon": spec["icon"],
                "order": order,
                "is_positive": spec.get("positive", False),
                "is_sensitive": spec.get("sensitive", False),
            },
        )
        created["categories"] += was_created
    return created
