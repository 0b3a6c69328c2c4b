"""Namespaces. The project's own terms are a closed namespace, so a misspelt term fails at
import time instead of minting a property nobody defined (a test checks that every term here
is declared, labelled and commented in ontology/coopld.ttl, and the reverse)."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from coopld.config import VOCAB_ROOT

ONTOLOGY_IRI = VOCAB_ROOT + "ontology"


class COOP(DefinedNamespace):
    """Terms of the coopld ontology."""

    _NS = Namespace(VOCAB_ROOT + "ontology#")
    _fail = True

    Agreement: URIRef
    Arrangement: URIRef
    Article: URIRef
    City: URIRef
    CooperationAgreement: URIRef
    CooperationArea: URIRef
    CooperationEvent: URIRef
    CooperationProgramme: URIRef
    Country: URIRef
    EventKind: URIRef
    GovernmentAgency: URIRef
    InternationalOrganization: URIRef
    JointStatement: URIRef
    LetterOfIntent: URIRef
    MemorandumOfUnderstanding: URIRef
    NewsAgency: URIRef
    Participation: URIRef
    Place: URIRef
    PoliticalOrganization: URIRef
    Protocol: URIRef
    Rank: URIRef
    ReviewNote: URIRef
    State: URIRef
    Status: URIRef
    Treaty: URIRef
    cameoCode: URIRef
    caption: URIRef
    collective: URIRef
    concerns: URIRef
    country: URIRef
    countryInvolvedIn: URIRef
    date: URIRef
    dateAsStated: URIRef
    endDate: URIRef
    eventKind: URIRef
    evidence: URIRef
    fact: URIRef
    hasParticipant: URIRef
    hasParticipation: URIRef
    hasSubEvent: URIRef
    held: URIRef
    involvesCountry: URIRef
    involvesOrganization: URIRef
    mentionedIn: URIRef
    mentions: URIRef
    mentionsEvent: URIRef
    nameAsStated: URIRef
    onBehalfOf: URIRef
    ordinal: URIRef
    participant: URIRef
    participatedIn: URIRef
    participationIn: URIRef
    party: URIRef
    partyCountry: URIRef
    partyTo: URIRef
    place: URIRef
    planned: URIRef
    post: URIRef
    postAsStated: URIRef
    rank: URIRef
    rankAsStated: URIRef
    reason: URIRef
    referredToAt: URIRef
    refersTo: URIRef
    reportedIn: URIRef
    reportsEvent: URIRef
    reviewNote: URIRef
    reviewed: URIRef
    sha256: URIRef
    signed: URIRef
    signedAt: URIRef
    signing: URIRef
    sourceFile: URIRef
    status: URIRef
    subEventOf: URIRef
    subject: URIRef
    succeededBy: URIRef
    succeeds: URIRef
    tookPartIn: URIRef
    topic: URIRef
    topicOf: URIRef
    validityPeriod: URIRef


TOPIC = Namespace(VOCAB_ROOT + "vocab/topics/")
KIND = Namespace(VOCAB_ROOT + "vocab/event-kinds/")
RANK = Namespace(VOCAB_ROOT + "vocab/ranks/")
ROLE = Namespace(VOCAB_ROOT + "vocab/roles/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SCHEMA = Namespace("http://schema.org/")

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
