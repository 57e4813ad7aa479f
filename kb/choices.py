"""Every enumeration in kb: kinds, statuses, modalities, grades and date precisions."""

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    DECADE = "decade", "Decade"


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    FACILITY = "facility", "Facility"
    PLACE = "place", "Place"


class RelationshipPredicate(models.TextChoices):
    LEADER_OF = "leader_of", "leader of"
    HEAD_OF_STATE_OF = "head_of_state_of", "head of state of"
    FOUNDER_OF = "founder_of", "founder of"
    MEMBER_OF = "member_of", "member of"
    EMPLOYED_BY = "employed_by", "employed by"
    PART_OF = "part_of", "part of"
    LOCATED_IN = "located_in", "located in"
    OPERATED_BY = "operated_by", "operated by"
    CHILD_OF = "child_of", "child of"
    GRANDCHILD_OF = "grandchild_of", "grandchild of"
    ALLY_OF = "ally_of", "ally of"
    PARTNER_OF = "partner_of", "strategic partner of"
    ADVERSARY_OF = "adversary_of", "adversary of"
    AT_WAR_WITH = "at_war_with", "at war with"
    SUPPLIER_OF = "supplier_of", "arms supplier of"
    PUBLISHER_OF = "publisher_of", "publisher of"
    SUCCESSOR_OF = "successor_of", "successor of"
    SUPPORTER_OF = "supporter_of", "supporter of"


class SourceKind(models.TextChoices):
    NEWS = "news", "News"
    ANALYSIS = "analysis", "Analysis"
    OPINION = "opinion", "Opinion"
    OFFICIAL = "official", "Official"
    DATASET = "dataset", "Dataset"


class SourceReliability(models.TextChoices):
    """Admiralty (NATO) source-reliability grade."""

    A = "A", "A: completely reliable"
    B = "B", "B: usually reliable"
    C = "C", "C: fairly reliable"
    D = "D", "D: not usually reliable"
    E = "E", "E: unreliable"
    F = "F", "F: reliability cannot be judged"


class Credibility(models.IntegerChoices):
    """Admiralty (NATO) information-credibility grade."""

    CONFIRMED = 1, "1: confirmed by other sources"
    PROBABLY_TRUE = 2, "2: probably true"
    POSSIBLY_TRUE = 3, "3: possibly true"
    DOUBTFUL = 4, "4: doubtful"
    IMPROBABLE = 5, "5: improbable"
    CANNOT_BE_JUDGED = 6, "6: truth cannot be judged"


class Modality(models.TextChoices):
    FACT = "fact", "Fact"
    ASSESSMENT = "assessment", "Assessment"
    FORECAST = "forecast", "Forecast"
    OPINION = "opinion", "Opinion"
    STATEMENT = "statement", "Statement by someone"


class ClaimStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    DISPUTED = "disputed", "Disputed"


class ClaimLinkKind(models.TextChoices):
    SUPPORTS = "supports", "supports"
    CONTRADICTS = "contradicts", "contradicts"
    UPDATES = "updates", "updates"
    DUPLICATES = "duplicates", "duplicates"


class EventKind(models.TextChoices):
    SUMMIT = "summit", "Summit"
    VISIT = "visit", "Visit"
    MEETING = "meeting", "Meeting"
    SIGNING = "signing", "Signing"
    MILITARY_ACTION = "military_action", "Military action"
    WEAPONS_TEST = "weapons_test", "Weapons test"
    WAR = "war", "War"
    PUBLICATION = "publication", "Publication"
    DEATH = "death", "Death"
    SUCCESSION = "succession", "Succession"
    SANCTIONS = "sanctions", "Sanctions"
    OTHER = "other", "Other"


class AgreementKind(models.TextChoices):
    TREATY = "treaty", "Treaty"
    PARTNERSHIP = "partnership", "Strategic partnership"
    AGREEMENT = "agreement", "Agreement"
    MEMORANDUM = "memorandum", "Memorandum of understanding"
    CONTRACT = "contract", "Contract"
    ARRANGEMENT = "arrangement", "Informal arrangement"


class AgreementStatus(models.TextChoices):
    EXPECTED = "expected", "Expected (not concluded)"
    PROPOSED = "proposed", "Proposed"
    SIGNED = "signed", "Signed"
    RATIFIED = "ratified", "Ratified"
    IN_FORCE = "in_force", "In force"
    LAPSED = "lapsed", "Lapsed"


class RatificationKind(models.TextChoices):
    """How a party consented to be bound, as the UN Treaty Collection records it.

    Ratification, acceptance and approval follow a signature; accession is how a state that
    did not sign becomes a party.
    """

    RATIFICATION = "ratification", "Ratification"
    ACCESSION = "accession", "Accession"
    ACCEPTANCE = "acceptance", "Acceptance"
    APPROVAL = "approval", "Approval"


class ProvisionKind(models.TextChoices):
    MUTUAL_DEFENCE = "mutual_defence", "Mutual defence"
    MILITARY_TECHNICAL = "military_technical", "Military-technical cooperation"
    ECONOMIC = "economic", "Economic"
    LABOUR = "labour", "Labour"
    UN_COORDINATION = "un_coordination", "UN coordination"
    POLITICAL = "political", "Political"
    SCIENCE_TECHNOLOGY = "science_technology", "Science and technology"
    OTHER = "other", "Other"


class TransferCategory(models.TextChoices):
    """SIPRI Arms Transfers Database categories, plus ammunition and technology."""

    AIRCRAFT = "aircraft", "Aircraft"
    AIR_DEFENCE = "air_defence", "Air-defence systems"
    ANTI_SUBMARINE = "anti_submarine", "Anti-submarine warfare"
    ARMOURED_VEHICLES = "armoured_vehicles", "Armoured vehicles"
    ARTILLERY = "artillery", "Artillery"
    ENGINES = "engines", "Engines"
    MISSILES = "missiles", "Missiles"
    NAVAL_WEAPONS = "naval_weapons", "Naval weapons"
    SATELLITES = "satellites", "Satellites"
    SENSORS = "sensors", "Sensors"
    SHIPS = "ships", "Ships"
    SMALL_ARMS = "small_arms", "Small arms and light weapons"
    AMMUNITION = "ammunition", "Ammunition"
    TECHNOLOGY = "technology", "Military technology and know-how"
    OTHER = "other", "Other"


class TransferStatus(models.TextChoices):
    PLANNED = "planned", "Planned or expected"
    ALLEGED = "alleged", "Alleged"
    REPORTED = "reported", "Reported"
    CONFIRMED = "confirmed", "Confirmed"
    DENIED = "denied", "Denied"


class DraftKind(models.TextChoices):
    """What a draft record proposes: a new actor, or an event, transfer, relationship or agreement milestone."""

    ACTOR = "actor", "Actor"
    EVENT = "event", "Event"
    TRANSFER = "transfer", "Arms transfer"
    RELATIONSHIP = "relationship", "Relationship"
    MILESTONE = "milestone", "Agreement milestone"


class DraftStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class MilestoneStep(models.TextChoices):
    """A step of an agreement party's ladder that a milestone draft records."""

    SIGNED = "signed", "signed"
    RATIFIED = "ratified", "ratified"
    IN_FORCE = "in_force", "entered into force"
