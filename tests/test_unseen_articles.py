"""The extractor on articles it has never seen (tests/articles, written for these tests): other
countries, agencies and officials that no gazetteer lists. The facts asserted are those listed
in tests/articles/README.md."""

from __future__ import annotations

from tests.conftest import Built, iri
from tests.test_seed_facts import agreements, events, only, participants, parties, subjects, topics

LAOS = iri("article/laos-cambodia-2022")
INDONESIA = iri("article/indonesia-thailand-2023")
KOREA = iri("article/vietnam-korea-2024")
AUSTRALIA = iri("article/vietnam-australia-undated")


def test_no_gazetteer_entry_is_needed_for_these_people(unseen: Built) -> None:
    names = {r["name"] for r in unseen.select("cq-participants.rq")}
    assert {"Bounmy Xayavong", "Prak Sovannarith", "Chea Vuthy", "Hendra Kusumadinata", "Yudha Pranata",
            "Thanakorn Srisuwan", "Doan Minh Khiem", "Kang Tae-seop", "Lam Quoc Bao", "Fiona Ashcombe"} <= names


def test_laos_cambodia_talks(unseen: Built) -> None:
    rows = events(unseen, LAOS)
    talks = only(rows, "talks")
    assert (talks["date"], talks["place"], talks["main"]) == ("2022-06-08", "Vientiane", True)
    people = participants(unseen, talks["event"])
    assert set(people) == {"Bounmy Xayavong", "Prak Sovannarith", "Chea Vuthy", "Phonesavanh Keomany"}
    bounmy = people["Bounmy Xayavong"]
    assert (bounmy["rank"], bounmy["post"], bounmy["orgName"], bounmy["country"]) == (
        "Police Major General", "Deputy Minister of Public Security", "Ministry of Public Security of Laos", "Laos")
    prak = people["Prak Sovannarith"]
    assert (prak["rank"], prak["post"], prak["country"]) == (
        "General", "Secretary of State of the Ministry of Interior", "Cambodia")
    assert people["Phonesavanh Keomany"]["country"] == "Laos"
    assert unseen.ask(f"""PREFIX org: <http://www.w3.org/ns/org#>
        ASK {{ <{people['Phonesavanh Keomany']['organization']}> org:subOrganizationOf
               <{iri('org/laos-public-security-ministry')}> }}""")
    assert {"drug-crime", "human-trafficking", "cybercrime", "cyber-fraud", "border-security", "interpol-coordination",
            "information-exchange", "personnel-training"} <= topics(unseen, talks["event"])


def test_laos_cambodia_signing_and_what_is_only_mentioned(unseen: Built) -> None:
    rows = events(unseen, LAOS)
    signing = only(rows, "signing ceremony")
    assert (signing["date"], signing["place"]) == ("2022-06-08", "Vientiane"), "'Following the talks'"
    assert set(participants(unseen, signing["event"])) == {"Bounmy Xayavong", "Prak Sovannarith"}
    sides = {iri("org/laos-public-security-ministry"), iri("org/cambodia-interior-ministry")}
    found = agreements(unseen)
    plan = found[iri("agreement/programme-cambodia-laos-2022-2024")]
    assert {r["party"] for r in plan} == sides
    assert (plan[0]["start"], plan[0]["end"], plan[0]["event"]) == ("2022", "2024", signing["event"])
    assert {"information-exchange", "joint-investigation", "personnel-training"} <= subjects(unseen, plan[0]["agreement"])
    mou = found[iri("agreement/mou-cambodia-laos-2022-06-08")]
    assert {r["party"] for r in mou} == sides and mou[0]["event"] == signing["event"]
    assert subjects(unseen, mou[0]["agreement"]) == {"transnational-crime"}
    visit = next(r for r in rows.values() if r["kind"] == "visit" and r["date"] == "2022-01")
    assert (visit["main"], visit["place"]) == (False, "Laos")
    assert set(participants(unseen, visit["event"])) == {"Sam Rithya"}
    meeting = only(rows, "meeting")
    assert (meeting["date"], meeting["main"]) == ("2022-03", False)
    planned = next(r for r in rows.values() if r["kind"] == "visit" and r["place"] == "Cambodia")
    assert planned["main"] is False
    assert parties(unseen, planned["event"]) == {"Ministry of Public Security of Laos"}, "the unnamed Lao minister"


def test_indonesia_thailand_reception_session_and_signing(unseen: Built) -> None:
    rows = events(unseen, INDONESIA)
    reception = only(rows, "reception")
    assert (reception["date"], reception["place"], reception["main"]) == ("2023-10-10", "Jakarta", True)
    people = participants(unseen, reception["event"])
    assert people["Hendra Kusumadinata"]["rank"] == "Police General"
    assert people["Hendra Kusumadinata"]["post"] == "Chief of the Indonesian National Police"
    assert people["Thanakorn Srisuwan"]["orgName"] == "Royal Thai Police"
    assert people["Thanakorn Srisuwan"]["country"] == "Thailand"
    assert "Darmawan Siregar" not in people
    session = only(rows, "working session")
    assert (session["date"], session["place"]) == ("2023-10-11", "Jakarta")
    assert set(participants(unseen, session["event"])) == {"Thanakorn Srisuwan", "Yudha Pranata"}
    assert participants(unseen, session["event"])["Yudha Pranata"]["rank"] == "Police Commissioner General"
    signing = only(rows, "signing ceremony")
    assert signing["date"] == "2023-10-11"
    programme = agreements(unseen)[iri("agreement/programme-indonesia-thailand-2024-2026")]
    assert (programme[0]["start"], programme[0]["end"], programme[0]["event"]) == ("2024", "2026", signing["event"])
    assert {r["partyName"] for r in programme} == {"Indonesian National Police", "Royal Thai Police"}
    assert subjects(unseen, programme[0]["agreement"]) == {"terrorism", "drug-crime", "information-exchange",
                                                           "personnel-training"}
    assert {"extradition", "mutual-legal-assistance", "money-laundering", "fugitive-hunting", "cyber-fraud",
            "terrorism"} <= topics(unseen, reception["event"])


def test_indonesia_thailand_earlier_and_planned(unseen: Built) -> None:
    rows = events(unseen, INDONESIA)
    visits = {r["date"]: r for r in rows.values() if r["kind"] == "visit"}
    assert (visits["2023-05"]["place"], visits["2023-05"]["main"]) == ("Bangkok", False)
    assert set(participants(unseen, visits["2023-05"]["event"])) == {"Darmawan Siregar"}
    assert (visits["2024"]["place"], visits["2024"]["main"]) == ("Thailand", False)
    assert set(participants(unseen, visits["2024"]["event"])) == {"Hendra Kusumadinata"}
    meeting = only(rows, "meeting")
    assert (meeting["date"], meeting["place"], meeting["main"]) == ("2023-08", "Bali", False)


def test_vietnam_korea(unseen: Built) -> None:
    rows = events(unseen, KOREA)
    talks = only(rows, "talks")
    assert (talks["date"], talks["place"]) == ("2024-04-22", "Hanoi")
    people = participants(unseen, talks["event"])
    assert set(people) == {"Doan Minh Khiem", "Kang Tae-seop", "Ha Quang Vinh"}
    assert people["Kang Tae-seop"]["orgName"] == "Korean National Police Agency"
    assert people["Kang Tae-seop"]["country"] == "South Korea"
    visit = next(r for r in rows.values() if r["kind"] == "visit" and r["main"])
    assert (visit["date"], visit["place"]) == ("2024-04-21", "Vietnam")
    assert unseen.ask(f"""PREFIX coop: <https://w3id.org/coopld/ontology#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        ASK {{ <{visit['event']}> coop:endDate "2024-04-24"^^xsd:date }}""")
    signing = only(rows, "signing ceremony", main=True)
    assert {"Tran Dinh Nghia", "Lee Min-seok"} <= set(participants(unseen, signing["event"]))
    earlier = only(rows, "signing ceremony", main=False)
    assert earlier["date"] == "2019-10"
    older = agreements(unseen)[iri("agreement/mou-south-korea-vietnam-2019-10")]
    assert {r["partyName"] for r in older} == {"Ministry of Public Security of Vietnam", "Korean National Police Agency"}
    assert older[0]["event"] == earlier["event"]
    park = next(r for r in rows.values() if r["kind"] == "visit" and r["date"] == "2019-10")
    assert set(participants(unseen, park["event"])) == {"Park Jun-ho"}
    assert unseen.ask(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        ASK {{ <{earlier['event']}> coop:subEventOf <{park['event']}> }}""")
    plan = agreements(unseen)[iri("agreement/programme-south-korea-vietnam-2024-2026")]
    assert subjects(unseen, plan[0]["agreement"]) == {"cybercrime", "high-tech-crime"}
    planned = {r["kind"]: r for r in rows.values() if not r["main"] and r["date"] in ("2024", "2024-04-23")}
    assert set(planned) == {"conference", "working session"}


def test_vietnam_australia_without_a_year(unseen: Built) -> None:
    rows = events(unseen, AUSTRALIA)
    reception = only(rows, "reception")
    assert (reception["date"], reception["place"], reception["main"]) == ("--11-14", "Hanoi", True)
    people = participants(unseen, reception["event"])
    assert set(people) == {"Lam Quoc Bao", "Fiona Ashcombe", "Nguyen Huu Phuoc", "Daniel Pryce"}
    assert people["Lam Quoc Bao"]["rank"] == "Lieutenant General"
    assert people["Fiona Ashcombe"]["orgName"] == "Australian Federal Police"
    session = only(rows, "working session")
    assert session["date"] == "--11-14", "'The same day'"
    colebrook = next(r for r in rows.values() if r["kind"] == "visit" and r["main"] is False and r["date"])
    assert (colebrook["date"], colebrook["place"]) == ("--08", "Vietnam")
    assert set(participants(unseen, colebrook["event"])) == {"Martin Colebrook"}
    mou = agreements(unseen)
    planned = [a for a in mou if "australia-vietnam" in a]
    assert len(planned) == 1
    assert unseen.ask(f"""PREFIX coop: <https://w3id.org/coopld/ontology#>
        ASK {{ <{planned[0]}> coop:status coop:planned FILTER NOT EXISTS {{ <{planned[0]}> coop:signedAt ?e }} }}""")
    assert subjects(unseen, planned[0]) == {"money-laundering"}
