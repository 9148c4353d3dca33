"""Demo data for `make run`: accounts, sources and a few war-news articles written for the
demo (fictional reporting in the style of wire copy), with claims of each label."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

DEMO_PASSWORDS = {
    "editor": "editor-demo-2026",
    "editor2": "editor2-demo-2026",
    "reviewer": "reviewer-demo-2026",
    "viewer": "viewer-demo-2026",
    "admin": "admin-demo-2026",
}

# (name, kind, reliability, review status, aliases)
SOURCES = [
    ("Security Service of Ukraine", "intelligence", "B", "approved", ["SBU", "СБУ"]),
    ("Russian Ministry of Defence", "military", "D", "approved", ["Минобороны России"]),
    ("General Staff of the Armed Forces of Ukraine", "military", "B", "approved", []),
    ("Institute for the Study of War", "expert", "B", "approved", ["ISW"]),
    ("A senior Pentagon official", "anonymous", "C", "approved", []),
    ("Kharkiv regional administration", "government", "B", "approved", []),
    ("Rybar (Telegram channel)", "social_media", "E", "pending", []),
    ("UN Human Rights Monitoring Mission in Ukraine", "ngo", "A", "approved", ["HRMMU"]),
    ("Kremlin spokesperson Dmitry Peskov", "spokesperson", "D", "approved", []),
    ("Local residents quoted by the outlet", "other", "F", "pending", []),
    ("Human Rights Watch", "ngo", "A", "approved", []),
    # Proposed by an editor who did not see the Kremlin's spokesman under his title: the
    # review queue says it is possibly the same source, and offers the merge.
    ("Песков", "spokesperson", "F", "pending", []),
]


@dataclass
class DemoClaim:
    quote: str
    label: str
    source: str | None = None
    credibility: int | None = None
    note: str = ""
    evidence_url: str = ""
    occurrence: int = 0
    public_summary: str = ""  # published in ClaimReview (the note is internal)


@dataclass
class DemoArticle:
    title: str
    outlet: str
    author: str
    url: str
    published_at: datetime
    language: str
    body: str
    status: str = "in_progress"
    claims: list[DemoClaim] = field(default_factory=list)


ARTICLES = [
    DemoArticle(
        title="Drone strike hits Kharkiv energy site as both sides trade claims over night attack",
        outlet="Frontline Wire",
        author="Olena Marchenko",
        url="https://example.org/frontline-wire/kharkiv-energy-strike",
        published_at=datetime(2026, 11, 18, 7, 40, tzinfo=UTC),
        language="en",
        body=(
            "Drone strike hits Kharkiv energy site as both sides trade claims over night attack\n"
            "\n"
            "KHARKIV — A wave of drones struck an energy facility on the eastern edge of "
            "Kharkiv overnight, cutting power to about 40,000 households, the Kharkiv regional "
            "administration said on Tuesday.\n"
            "\n"
            "According to a Telegram post from the SBU, air defence units shot down 31 of 38 "
            "Shahed-type drones launched from the Belgorod region. The post, signed by the "
            "service’s press office, included photographs of wreckage that could not be "
            "independently verified.\n"
            "\n"
            "Russia’s Ministry of Defence said its forces had hit “military-industrial "
            "targets” and that “all designated objects were struck”. Moscow did not confirm "
            "the number of drones it had launched.\n"
            "\n"
            "Residents of the Saltivka district — many of whom had reportedly been evacuated "
            "last winter — described hearing at least six explosions shortly after 2 a.m. "
            "“The windows just came in,” said Iryna, 54, who gave only her first name. 🕯️\n"
            "\n"
            "Repair crews restored electricity to roughly half of the affected homes by "
            "midday, according to the regional administration, which published a map of "
            "outages on its website.\n"
            "\n"
            "Source: Read Full Article"
        ),
        claims=[
            DemoClaim(
                "cutting power to about 40,000 households",
                "verified",
                "Kharkiv regional administration",
                2,
                "Matches the operator’s outage map at 09:00.",
                "https://example.org/outage-map",
                public_summary="The grid operator’s outage map showed about 40,000 households "
                "without power that morning.",
            ),
            DemoClaim(
                "air defence units shot down 31 of 38 Shahed-type drones launched from the "
                "Belgorod region",
                "disputed",
                "Security Service of Ukraine",
                3,
                "Single-source figure; wreckage photos not geolocated yet.",
                public_summary="Only the SBU has given this figure, and no other source has "
                "confirmed it yet.",
            ),
            DemoClaim(
                "its forces had hit “military-industrial targets”",
                "disputed",
                "Russian Ministry of Defence",
                5,
                "No evidence of a military target at the site.",
            ),
            DemoClaim("had reportedly been evacuated last winter", "unattributed"),
            DemoClaim(
                "Repair crews restored electricity to roughly half of the affected homes by midday",
                "verified",
                "Kharkiv regional administration",
                2,
            ),
        ],
    ),
    DemoArticle(
        title="US intelligence estimates losses as front line shifts near Pokrovsk",
        outlet="Capital Desk",
        author="James Whitfield",
        url="https://example.org/capital-desk/pokrovsk-estimates",
        published_at=datetime(2026, 11, 20, 15, 5, tzinfo=UTC),
        language="en",
        body=(
            "US intelligence estimates losses as front line shifts near Pokrovsk\n"
            "\n"
            "WASHINGTON — American intelligence offered a conservative estimate that Russian "
            "forces have lost more than 1,200 armoured vehicles in the Pokrovsk direction "
            "since the spring, a senior Pentagon official told reporters on Thursday, "
            "speaking on condition of anonymity.\n"
            "\n"
            "The official said the figure was “likely an undercount” and that Ukrainian units "
            "had withdrawn from two villages south of the town to “more defensible positions”.\n"
            "\n"
            "The Institute for the Study of War, a Washington-based think tank, assessed that "
            "Russian forces had made “marginal, costly gains” over the past week. ISW’s "
            "assessment relied on geolocated footage published by both sides.\n"
            "\n"
            "Key points from the briefing:\n"
            "• more than 1,200 armoured vehicles lost since the spring;\n"
            "• two villages south of Pokrovsk abandoned by Ukrainian units;\n"
            "• no change to planned deliveries of air-defence interceptors.\n"
            "\n"
            "Kremlin spokesperson Dmitry Peskov dismissed the estimate as “propaganda” and "
            "said the “special military operation” was proceeding according to plan. Reports "
            "from the front line suggest that fighting has intensified around the railway "
            "junction."
        ),
        claims=[
            DemoClaim(
                "Russian forces have lost more than 1,200 armoured vehicles in the Pokrovsk "
                "direction since the spring",
                "disputed",
                "A senior Pentagon official",
                3,
                "US estimate; Moscow denies. Not independently confirmable.",
            ),
            DemoClaim(
                "Ukrainian units had withdrawn from two villages south of the town",
                "verified",
                "Institute for the Study of War",
                2,
                "Geolocated footage reviewed by the desk.",
                "https://example.org/isw-assessment",
            ),
            DemoClaim(
                "Russian forces had made “marginal, costly gains” over the past week",
                "verified",
                "Institute for the Study of War",
                2,
            ),
            DemoClaim(
                "dismissed the estimate as “propaganda”",
                "disputed",
                "Kremlin spokesperson Dmitry Peskov",
                4,
            ),
            DemoClaim(
                "fighting has intensified around the railway junction",
                "unattributed",
            ),
        ],
    ),
    DemoArticle(
        title="Дніпро: рятувальники завершили розбір завалів після удару",
        outlet="Kyiv Evening",
        author="Андрій Коваленко",
        url="https://example.org/kyiv-evening/dnipro-rubble",
        published_at=datetime(2026, 11, 22, 19, 30, tzinfo=UTC),
        language="uk",
        body=(
            "Дніпро: рятувальники завершили розбір завалів після удару\n"
            "\n"
            "ДНІПРО — Рятувальники ДСНС завершили розбір завалів п’ятиповерхівки, "
            "пошкодженої внаслідок ракетного удару в ніч на суботу. За даними обласної "
            "військової адміністрації, загинули 7 людей, ще 23 отримали поранення.\n"
            "\n"
            "У Міноборони Росії заявили, що удар було завдано по «пункту тимчасової "
            "дислокації». Доказів цього відомство не надало. Моніторингова місія ООН з прав "
            "людини повідомила, що в будинку мешкали лише цивільні 🇺🇦.\n"
            "\n"
            "За неофіційною інформацією, серед загиблих — двоє дітей."
        ),
        claims=[
            DemoClaim(
                "загинули 7 людей, ще 23 отримали поранення",
                "verified",
                "UN Human Rights Monitoring Mission in Ukraine",
                2,
                "Toll confirmed by HRMMU on Sunday.",
            ),
            DemoClaim(
                "удар було завдано по «пункту тимчасової дислокації»",
                "disputed",
                "Russian Ministry of Defence",
                5,
            ),
            DemoClaim("серед загиблих — двоє дітей", "unattributed"),
        ],
    ),
    DemoArticle(
        title="Telegram channels claim breakthrough; officials urge caution",
        outlet="Open Source Monitor",
        author="Mira Schulz",
        url="https://example.org/osm/telegram-breakthrough",
        published_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        language="en",
        status="new",
        body=(
            "Telegram channels claim breakthrough; officials urge caution\n"
            "\n"
            "Pro-Kremlin Telegram channels, among them Rybar, claimed on Monday that Russian "
            "assault groups had crossed the Oskil river north of Kupiansk and “established a "
            "bridgehead”. The posts were shared more than 400,000 times within hours. 📢\n"
            "\n"
            "The General Staff of the Armed Forces of Ukraine said the crossing attempt had "
            "been repelled and that “the enemy suffered losses”. Neither account could be "
            "independently verified; satellite imagery from the area was obscured by cloud.\n"
            "\n"
            "Analysts cautioned that similar claims had appeared — and been retracted — "
            "twice since October."
        ),
        claims=[
            DemoClaim(
                "Russian assault groups had crossed the Oskil river north of Kupiansk and "
                "“established a bridgehead”",
                "disputed",
                "Rybar (Telegram channel)",
                4,
                "Unconfirmed; denied by the General Staff.",
            ),
            DemoClaim(
                "the crossing attempt had been repelled",
                "disputed",
                "General Staff of the Armed Forces of Ukraine",
                3,
            ),
            DemoClaim(
                "similar claims had appeared — and been retracted — twice since October",
                "unattributed",
            ),
        ],
    ),
    DemoArticle(
        title="Live: drones over Kyiv and Odesa overnight",
        outlet="Frontline Wire",
        author="Olena Marchenko",
        url="https://example.org/frontline-wire/live-drones-kyiv-odesa",
        published_at=datetime(2026, 11, 26, 6, 15, tzinfo=UTC),
        language="en",
        body=(
            "Live: drones over Kyiv and Odesa overnight\n"
            "\n"
            "06:10 Kyiv: 31 drones were shot down over the capital overnigth, the regional "
            "governor said. Debris fell on two districts; no casualties were reported.\n"
            "\n"
            "06:25 Odesa: 31 drones hit the port area, the regional governor said. A fire "
            "broke out at a grain terminal and was put out by morning.\n"
            "\n"
            "06:40 Kharkiv: air raid sirens sounded for two hours. 31 drones were launched "
            "from the Belgorod region, according to the General Staff."
        ),
        claims=[
            DemoClaim(
                "31 drones were shot down over the capital",
                "verified",
                "Security Service of Ukraine",
                2,
                "Figure from the governor’s Telegram post at 06:05.",
            ),
            DemoClaim(
                "31 drones hit the port area",
                "disputed",
                "Local residents quoted by the outlet",
                3,
                "The same figure as Kyiv’s: check it is not copied across.",
            ),
            DemoClaim(
                "31 drones were launched from the Belgorod region",
                "disputed",
                "General Staff of the Armed Forces of Ukraine",
                3,
            ),
        ],
    ),
    DemoArticle(
        title="Russia says Dnipro strike hit troops; Kyiv reports civilian toll",
        outlet="Eastern Ledger",
        author="Tomasz Nowak",
        url="https://example.org/eastern-ledger/dnipro-toll",
        published_at=datetime(2026, 11, 23, 8, 15, tzinfo=UTC),
        language="en",
        body=(
            "Russia says Dnipro strike hit troops; Kyiv reports civilian toll\n"
            "\n"
            "DNIPRO — Seven people were killed and 23 injured when a missile hit a five-storey "
            "apartment block in Dnipro late on Friday, the regional military administration "
            "said, as rescuers finished clearing the rubble on Saturday evening.\n"
            "\n"
            "Russia’s Defence Ministry said the strike targeted a “temporary deployment point” "
            "of Ukrainian troops. It offered no evidence, and the UN monitoring mission said "
            "only civilians had lived in the building.\n"
            "\n"
            "Local officials did not confirm reports circulating on Telegram that two children "
            "were among the dead."
        ),
        claims=[
            # The toll is left for the reader of the demo to tag: the desk's Ukrainian
            # article (Kyiv Evening) tagged the same toll, and suggests itself.
            DemoClaim(
                "the strike targeted a “temporary deployment point” of Ukrainian troops",
                "disputed",
                "Russian Ministry of Defence",
                5,
            ),
        ],
    ),
    # No claim tagged: opened for the first time, it shows only suggestions to accept
    # (README, "Suggested claims").
    DemoArticle(
        title="SBU detains two suspects after blast damages rail bridge near Lviv",
        outlet="Western Courier",
        author="Natalia Hrytsenko",
        url="https://example.org/western-courier/lviv-rail-bridge",
        published_at=datetime(2026, 11, 27, 12, 20, tzinfo=UTC),
        language="en",
        status="new",
        body=(
            "SBU detains two suspects after blast damages rail bridge near Lviv\n"
            "\n"
            "LVIV — The SBU said on Thursday that it had detained two men suspected of "
            "planting explosives under a railway bridge west of Lviv, where a blast damaged "
            "the tracks shortly before dawn.\n"
            "\n"
            "No trains were on the bridge at the time of the explosion, the state railway "
            "company Ukrzaliznytsia said. Passenger trains to Poland were running up to three "
            "hours late, according to the company. The bridge carries most of the region’s "
            "freight to the Polish border.\n"
            "\n"
            "The two men had allegedly been recruited through a Telegram channel and promised "
            "$2,000 each for the job.\n"
            "\n"
            "The Russian Ministry of Defence said its forces had struck “a military echelon” "
            "at a railway junction in western Ukraine the same night. Lviv regional governor "
            "Maksym Kozytskyi wrote on Telegram that repairs would take at least two days.\n"
            "\n"
            "Police were also examining a second device found near the station in Stryi, "
            "according to local media."
        ),
    ),
]
