"""What the five seed articles state, asserted through the competency queries over the built
store: every event, official, organization, agreement and topic the text gives, and nothing
it does not (exact sets, not "contains")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Built, iri

A000 = iri("article/000-fbf71168363b4ba4")
A001 = iri("article/001-d8ef363ee950f39f")
A002 = iri("article/002-d895ca261d4fdf71")
A003 = iri("article/003-aebcca7f72621cea")
A004 = iri("article/004-3c8652a5e7475668")

MPS_VN = iri("org/vietnam-ministry-of-public-security")
MVD = iri("org/russia-ministry-of-internal-affairs")


def events(built: Built, article: str) -> dict[str, dict[str, Any]]:
    """kind -> row, for one article (kinds are unique per article in the seeds but for visits)."""
    rows = [r for r in built.select("cq-events.rq") if r["article"] == article]
    return {r["event"]: r for r in rows}


def only(rows: dict[str, dict[str, Any]], kind: str, main: bool | None = None) -> dict[str, Any]:
    found = [r for r in rows.values() if r["kind"] == kind and (main is None or r["main"] == main)]
    assert len(found) == 1, f"expected one {kind} event, found {found}"
    return found[0]


def participants(built: Built, event: str) -> dict[str, dict[str, Any]]:
    rows = [r for r in built.select("cq-participants.rq") if r["event"] == event]
    return {r["name"]: r for r in rows}


def parties(built: Built, event: str) -> set[str]:
    return {r["orgName"] for r in built.select("cq-parties.rq") if r["event"] == event}


def topics(built: Built, event: str) -> set[str]:
    return {r["topic"].rsplit("/", 1)[1] for r in built.select("cq-topics.rq") if r["event"] == event}


def agreements(built: Built) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in built.select("cq-agreements.rq"):
        out.setdefault(r["agreement"], []).append(r)
    return out


def subjects(built: Built, agreement: str) -> set[str]:
    rows = built.select(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT ?s WHERE {{ <{agreement}> coop:subject ?s }}""")
    return {r["s"].rsplit("/", 1)[1] for r in rows}


def test_the_seeds_build_into_fifteen_events_and_nine_agreements(seeds: Built) -> None:
    assert seeds.result.counts["articles"] == 5
    assert len(seeds.select("cq-events.rq")) == 15
    assert len(agreements(seeds)) == 9
    assert seeds.result.report.violations == 0


# --- 000: Hanoi police and the Moscow directorate, 2024-04-03 ---------------------------------

def test_000_talks_and_mou_signing_in_hanoi(seeds: Built) -> None:
    rows = events(seeds, A000)
    assert sorted(r["kind"] for r in rows.values()) == ["signing ceremony", "talks"]
    for row in rows.values():
        assert (row["date"], row["place"], row["main"]) == ("2024-04-03", "Hanoi", True)
    talks = only(rows, "talks")
    people = participants(seeds, talks["event"])
    assert set(people) == {"Nguyen Hai Trung", "Vladislav Novikov"}
    trung, novikov = people["Nguyen Hai Trung"], people["Vladislav Novikov"]
    assert (trung["rank"], trung["post"], trung["orgName"], trung["country"]) == (
        "Lieutenant General", "Director of the Hanoi Department of Public Security",
        "Hanoi Department of Public Security", "Vietnam")
    assert (novikov["rank"], novikov["orgName"], novikov["country"]) == (
        "Major General", "Main Directorate of the Ministry of Internal Affairs of Russia for Moscow", "Russia")
    assert novikov["post"].startswith("Deputy Head of the Main Directorate")
    signing = only(rows, "signing ceremony")
    assert participants(seeds, signing["event"]) == {}, "the article names no signatory"
    assert parties(seeds, signing["event"]) == {"Hanoi Department of Public Security",
                                                 "Main Directorate of the Ministry of Internal Affairs of Russia for Moscow"}
    assert {"cybercrime", "cyber-security", "transnational-crime", "organised-crime", "high-tech-crime",
            "mutual-legal-assistance", "protection-of-diplomatic-missions", "protection-of-citizens-abroad",
            "transport-security", "equipment-and-technology", "experience-sharing"} <= topics(seeds, talks["event"])


def test_000_mou_and_the_ministries_earlier_agreements(seeds: Built) -> None:
    found = agreements(seeds)
    mou = found[iri("agreement/mou-russia-vietnam-2024-04-03")]
    assert {r["partyName"] for r in mou} == {"Hanoi Department of Public Security",
                                             "Main Directorate of the Ministry of Internal Affairs of Russia for Moscow"}
    assert mou[0]["kind"] == "memorandum of understanding"
    assert mou[0]["event"] == iri("event/2024-04-03-signing-ceremony-russia-vietnam-hanoi")
    assert subjects(seeds, mou[0]["agreement"]) == {"mutual-legal-assistance", "transnational-crime", "high-tech-crime",
                                                    "crime-prevention", "protection-of-diplomatic-missions"}
    # the earlier agreements' parties are known: their IRI is made of kind and parties, not of the file name
    earlier = [a for a in found if a == iri("agreement/agreement-set-russia-vietnam")]
    assert len(earlier) == 1 and not [a for a in found if A000.rsplit("/", 1)[1] in a]
    rows = found[earlier[0]]
    assert {r["party"] for r in rows} == {MPS_VN, MVD}
    assert rows[0]["event"] is None
    assert subjects(seeds, earlier[0]) == {"mutual-legal-assistance", "emerging-crime", "high-tech-crime"}


def test_000_agencies_sit_in_their_ministries(seeds: Built) -> None:
    assert seeds.ask(f"""PREFIX org: <http://www.w3.org/ns/org#>
        ASK {{ <{iri('org/hanoi-department-of-public-security')}> org:subOrganizationOf <{MPS_VN}> .
               <{iri('org/moscow-main-directorate-of-internal-affairs')}> org:subOrganizationOf <{MVD}> }}""")


# --- 001: deputy ministers in Moscow, 2018-09-05 ----------------------------------------------

def test_001_working_session_in_moscow_resolves_the_year(seeds: Built) -> None:
    rows = events(seeds, A001)
    session = only(rows, "working session")
    assert (session["date"], session["place"], session["main"]) == ("2018-09-05", "Moscow", True)
    people = participants(seeds, session["event"])
    assert set(people) == {"Bui Van Nam", "Aleksandr Gorovoy"}
    assert (people["Bui Van Nam"]["rank"], people["Bui Van Nam"]["post"], people["Bui Van Nam"]["orgName"]) == (
        "Senior Lieutenant General", "Deputy Minister of Public Security", "Ministry of Public Security of Vietnam")
    assert (people["Aleksandr Gorovoy"]["rank"], people["Aleksandr Gorovoy"]["post"]) == (
        "Police Colonel General", "First Deputy Minister of Internal Affairs")
    assert people["Aleksandr Gorovoy"]["organization"] == MVD
    assert {"interpol-coordination", "personnel-training", "terrorism", "human-trafficking", "drug-crime",
            "fugitive-hunting", "equipment-and-technology", "high-tech-crime", "economic-crime",
            "protection-of-diplomatic-missions"} <= topics(seeds, session["event"])


def test_001_programme_2019_2021_signed_at_the_session(seeds: Built) -> None:
    rows = events(seeds, A001)
    signing = only(rows, "signing ceremony")
    assert (signing["date"], signing["place"]) == ("2018-09-05", "Moscow")
    assert set(participants(seeds, signing["event"])) == {"Bui Van Nam", "Aleksandr Gorovoy"}
    assert seeds.ask(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        ASK {{ <{signing['event']}> coop:subEventOf <{only(rows, 'working session')['event']}> }}""")
    programme = agreements(seeds)[iri("agreement/programme-russia-vietnam-2019-2021")]
    assert {r["party"] for r in programme} == {MPS_VN, MVD}
    assert (programme[0]["start"], programme[0]["end"], programme[0]["event"]) == ("2019", "2021", signing["event"])
    assert programme[0]["kind"] == "cooperation programme"


# --- 002: a CPC commission received in Hanoi, 2023-12-01 ---------------------------------------

def test_002_reception_and_who_was_not_there(seeds: Built) -> None:
    rows = events(seeds, A002)
    reception = only(rows, "reception", main=True)
    assert (reception["date"], reception["place"]) == ("2023-12-01", "Hanoi")
    people = participants(seeds, reception["event"])
    assert set(people) == {"Tran Quoc To", "Yang Chunlei"}, "Xi Jinping is only the subject of a planned visit"
    assert people["Tran Quoc To"]["rank"] == "Senior Lieutenant General"
    assert people["Yang Chunlei"]["rank"] is None, "the article gives him no rank"
    assert people["Yang Chunlei"]["organization"] == iri("org/cpc-political-and-legal-affairs-commission")
    assert people["Yang Chunlei"]["country"] == "China"
    assert {"cyber-fraud", "cross-border-gambling", "cybercrime", "terrorism", "information-exchange",
            "personnel-training", "cyber-attacks", "security-of-high-level-visits"} <= topics(seeds, reception["event"])


def test_002_earlier_conference_and_planned_state_visit(seeds: Built) -> None:
    rows = events(seeds, A002)
    conference = only(rows, "conference")
    assert (conference["date"], conference["main"], conference["place"]) == ("2023-09", False, None)
    assert parties(seeds, conference["event"]) == {"Ministry of Public Security of Vietnam",
                                                    "Ministry of Public Security of the People's Republic of China"}
    assert topics(seeds, conference["event"]) == {"crime-prevention"}
    assert seeds.ask(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        ASK {{ <{conference['event']}> coop:ordinal 8 ; coop:status coop:held }}""")
    visit = only(rows, "visit")
    assert (visit["main"], visit["date"], visit["place"]) == (False, None, "Vietnam")
    xi = participants(seeds, visit["event"])
    assert set(xi) == {"Xi Jinping"}
    posts = {r["post"] for r in seeds.select("cq-participants.rq") if r["name"] == "Xi Jinping"}
    assert posts == {"General Secretary of the Communist Party of China Central Committee", "President of China"}
    assert seeds.ask(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        ASK {{ <{visit['event']}> coop:status coop:planned }}""")


def test_002_agreements_referred_to_collectively(seeds: Built) -> None:
    found = {a: rows for a, rows in agreements(seeds).items() if "002-d895ca261d4fdf71" in a}
    assert len(found) == 2
    for agreement, rows in found.items():
        assert rows[0]["party"] is None, "signed 'at the ministerial level': the parties are not named"
        assert subjects(seeds, agreement) == {"crime-prevention", "cross-border-gambling"}


# --- 003: Kolokoltsev in Hanoi, no date line ---------------------------------------------------

def test_003_year_is_never_invented(seeds: Built) -> None:
    rows = events(seeds, A003)
    talks = only(rows, "talks")
    assert (talks["date"], talks["place"], talks["main"]) == ("--10-31", "Hanoi", True)
    typed = seeds.select(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT (DATATYPE(?d) AS ?t) WHERE {{ <{talks['event']}> coop:date ?d }}""")
    assert typed == [{"t": "http://www.w3.org/2001/XMLSchema#gMonthDay"}]
    signing = only(rows, "signing ceremony")
    assert signing["main"] is False
    typed = seeds.select(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT ?d (DATATYPE(?d) AS ?t) WHERE {{ <{signing['event']}> coop:date ?d }}""")
    assert typed == [{"d": "--05", "t": "http://www.w3.org/2001/XMLSchema#gMonth"}]
    assert not seeds.ask(f"""PREFIX dcterms: <http://purl.org/dc/terms/> ASK {{ <{A003}> dcterms:issued ?d }}""")


def test_003_one_minister_however_named(seeds: Built) -> None:
    rows = events(seeds, A003)
    people = participants(seeds, only(rows, "talks")["event"])
    assert set(people) == {"To Lam", "Vladimir Kolokoltsev"}, "'Minister Alexandrovich' is Kolokoltsev"
    assert (people["To Lam"]["rank"], people["To Lam"]["post"]) == ("General", "Minister of Public Security")
    assert (people["Vladimir Kolokoltsev"]["orgName"], people["Vladimir Kolokoltsev"]["country"]) == (
        "Ministry of Internal Affairs of the Russian Federation", "Russia")
    assert {"extradition", "interpol-coordination", "fugitive-hunting", "information-exchange", "delegation-exchange",
            "protection-of-citizens-abroad", "transfer-of-offenders"} <= topics(seeds, only(rows, "talks")["event"])
    assert {r["kind"] for r in rows.values() if r["main"]} == {"talks", "welcome ceremony", "visit"}


def test_003_programmes_signed_in_may_and_planned(seeds: Built) -> None:
    found = agreements(seeds)
    signed = found[iri("agreement/programme-russia-vietnam-2022-2024")]
    planned = found[iri("agreement/programme-russia-vietnam-2025-2027")]
    assert {r["party"] for r in signed} == {r["party"] for r in planned} == {MPS_VN, MVD}
    assert (signed[0]["start"], signed[0]["end"]) == ("2022", "2024")
    assert signed[0]["event"] == only(events(seeds, A003), "signing ceremony")["event"]
    assert (planned[0]["start"], planned[0]["end"], planned[0]["event"]) == ("2025", "2027", None)
    assert seeds.ask(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        ASK {{ <{planned[0]['agreement']}> coop:status coop:planned . <{signed[0]['agreement']}> coop:status coop:signed }}""")


# --- 004: Patrushev in Hanoi, 2017-07-25 --------------------------------------------------------

def test_004_talks_with_the_security_council(seeds: Built) -> None:
    rows = events(seeds, A004)
    talks = only(rows, "talks")
    assert (talks["date"], talks["place"], talks["main"]) == ("2017-07-25", "Hanoi", True)
    people = participants(seeds, talks["event"])
    assert set(people) == {"To Lam", "Nikolai Patrushev"}, "the presidents are mentioned only in passing"
    assert people["To Lam"]["rank"] == "Senior Lieutenant General"
    assert (people["Nikolai Patrushev"]["rank"], people["Nikolai Patrushev"]["orgName"]) == (
        "General", "Security Council of the Russian Federation")
    assert {"terrorism", "cyber-security", "non-traditional-security", "protection-of-diplomatic-missions",
            "countering-hostile-activities", "drug-crime", "human-trafficking"} <= topics(seeds, talks["event"])


def test_004_presidents_visits_are_events_of_their_own(seeds: Built) -> None:
    rows = events(seeds, A004)
    visits = {r["date"]: r for r in rows.values() if r["kind"] == "visit"}
    assert set(visits) == {"2017-06", "2017-11"}
    assert (visits["2017-06"]["place"], visits["2017-06"]["main"]) == ("Russia", False)
    assert set(participants(seeds, visits["2017-06"]["event"])) == {"Tran Dai Quang"}
    assert set(participants(seeds, visits["2017-11"]["event"])) == {"Vladimir Putin"}
    assert seeds.ask(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        ASK {{ <{visits['2017-11']['event']}> coop:status coop:planned .
               <{visits['2017-06']['event']}> coop:status coop:held }}""")


def test_004_mou_on_psychotropic_substances_is_between_the_ministries(seeds: Built) -> None:
    found = agreements(seeds)
    mou = found[iri("agreement/mou-russia-vietnam-2017-07-25")]
    assert {r["party"] for r in mou} == {MPS_VN, MVD}, "not the Security Council, whose secretary held the talks"
    assert mou[0]["event"] == only(events(seeds, A004), "signing ceremony")["event"]
    assert subjects(seeds, mou[0]["agreement"]) == {"new-psychotropic-substances"}
    programme = found[iri("agreement/programme-russia-vietnam-2016-2018")]
    assert {r["party"] for r in programme} == {MPS_VN, MVD}
    assert (programme[0]["start"], programme[0]["end"], programme[0]["event"]) == ("2016", "2018", None)


# --- across articles ------------------------------------------------------------------------

def test_one_identity_per_person_and_ministry_across_articles(seeds: Built) -> None:
    rows = seeds.select("""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT DISTINCT ?article WHERE { ?article coop:mentions <https://w3id.org/coopld/id/person/to-lam> }""")
    assert {r["article"] for r in rows} == {A003, A004}
    ranks = {r["rank"] for r in seeds.select("cq-participants.rq") if r["name"] == "To Lam"}
    assert ranks == {"General", "Senior Lieutenant General"}, "rank as reported at each event"
    mvd_articles = seeds.select(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        SELECT DISTINCT ?article WHERE {{ ?article coop:mentions <{MVD}> }}""")
    assert {r["article"] for r in mvd_articles} == {A000, A001, A003, A004}
    assert len({r["organization"] for r in seeds.select("cq-parties.rq")
                if "Internal Affairs of the Russian Federation" in r["orgName"]}) == 1


@pytest.mark.parametrize("article, publisher", [(A000, "vietnam-news-agency"), (A003, "voice-of-vietnam")])
def test_publisher_from_the_credit_line(seeds: Built, article: str, publisher: str) -> None:
    assert seeds.ask(f"""PREFIX dcterms: <http://purl.org/dc/terms/>
        ASK {{ <{article}> dcterms:publisher <{iri('org/' + publisher)}> }}""")


def test_inference_adds_what_users_ask_for(seeds: Built) -> None:
    countries = {r["name"]: int(r["events"]) for r in seeds.select("country-events.rq")}
    assert countries["China"] == 3 and countries["Russia"] >= 10 and countries["Vietnam"] >= 12
    rows = seeds.select("organization-agreements.rq")
    assert {r["title"].split(" between")[0] for r in rows if r["organization"] == MVD} >= {
        "Action coordination programme", "Coordinated Action Program", "Memorandum of understanding"}


def test_every_event_points_to_its_sentences(seeds: Built) -> None:
    rows = seeds.select("""PREFIX coop: <https://w3id.org/coopld/ontology#>
        PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        SELECT ?event ?anchor ?begin ?end ?text WHERE {
          ?event a coop:CooperationEvent ; coop:evidence ?span .
          ?span nif:anchorOf ?anchor ; nif:beginIndex ?begin ; nif:endIndex ?end ; nif:referenceContext ?a .
          ?a nif:isString ?text }""")
    assert {r["event"] for r in rows} == {r["event"] for r in seeds.select("cq-events.rq")}
    for row in rows:
        assert row["text"][int(row["begin"]):int(row["end"])] == row["anchor"]
    talks = [r["anchor"] for r in rows if r["event"] == iri("event/2017-07-25-talks-russia-vietnam-hanoi")]
    assert any("During his talks with General Nikolai Patrushev" in a for a in talks)
