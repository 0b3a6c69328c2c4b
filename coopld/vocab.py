"""Namespaces. The project's own terms are a closed namespace, so a misspelt term fails at
import time instead of minting a property nobody defined (a test checks that every term here
is declared, labelled and commented in ontology/coopld.ttl, and the reverse)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace

from coopld.config import VOCAB_ROOT

ONTOLOGY_IRI = VOCAB_ROOT + "ontology"


class COOP(DefinedNamespace):
    """Terms of the coopld ontology."""

    _NS = Namespace(VOCAB_ROOT + "ontology#")
    _fail = True

    Agreement: str
    Article: str
    City: str
    CooperationAgreement: str
    CooperationArea: str
    CooperationEvent: str
    CooperationProgramme: str
    Country: str
    EventKind: str
    GovernmentAgency: str
    InternationalOrganization: str
    MemorandumOfUnderstanding: str
    NewsAgency: str
    Participation: str
    Place: str
    PoliticalOrganization: str
    Rank: str
    State: str
    Status: str
    cameoCode: str
    caption: str
    collective: str
    country: str
    countryInvolvedIn: str
    date: str
    dateAsStated: str
    endDate: str
    eventKind: str
    evidence: str
    hasParticipant: str
    hasParticipation: str
    hasSubEvent: str
    held: str
    involvesCountry: str
    involvesOrganization: str
    mentionedIn: str
    mentions: str
    mentionsEvent: str
    nameAsStated: str
    onBehalfOf: str
    ordinal: str
    participant: str
    participatedIn: str
    participationIn: str
    party: str
    partyCountry: str
    partyTo: str
    place: str
    planned: str
    post: str
    postAsStated: str
    rank: str
    rankAsStated: str
    referredToAt: str
    refersTo: str
    reportedIn: str
    reportsEvent: str
    sha256: str
    signed: str
    signedAt: str
    signing: str
    sourceFile: str
    status: str
    subEventOf: str
    subject: str
    tookPartIn: str
    topic: str
    topicOf: str
    validityPeriod: str


TOPIC = Namespace(VOCAB_ROOT + "vocab/topics/")
KIND = Namespace(VOCAB_ROOT + "vocab/event-kinds/")
RANK = Namespace(VOCAB_ROOT + "vocab/ranks/")
ROLE = Namespace(VOCAB_ROOT + "vocab/roles/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")

#: Prefixes bound in every graph coopld writes, so dumps read the same everywhere.
PREFIXES: dict[str, str] = {
    "coop": str(COOP._NS),
    "topics": str(TOPIC),
    "kinds": str(KIND),
    "ranks": str(RANK),
    "roles": str(ROLE),
    "sem": str(SEM),
    "org": str(ORG),
    "nif": str(NIF),
    "schema": str(SCHEMA),
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}
