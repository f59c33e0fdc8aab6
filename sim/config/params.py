"""Every model parameter, its default, unit, allowed range and source: the one place.

Each parameter is a pydantic field built with :func:`P`, which records

* ``unit`` (months, km, km², animals/km², kg, per year, probability ...),
* ``source`` (a citation from ``../shared/research/parameters.md``; ``C:`` for a value computed
  from sourced numbers; ``assumption:`` with a reason where nothing was found),
* ``sens`` (the range used in sensitivity analysis, docs/sensitivity.md; a field without one is not
  varied, except prey r_max and initial_total at ±20 %).

``docs/parameters.md`` is generated from these fields (``python -m sim.reporting.docs``), so the document
and the code cannot disagree. The scenario schema (:mod:`sim.config.schema`) nests these models, so a
YAML key is exactly a field name here.

Time convention: one model step is one month; ``month`` 0 is January. Years in scenarios are
1-based (``year: 1`` is the first simulated year).
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


def P(default: Any, unit: str, source: str, description: str = "", *,
      ge: float | None = None, le: float | None = None, gt: float | None = None,
      lt: float | None = None, sens: tuple[float, float] | None = None, **kw: Any) -> Any:
    """A documented parameter field: default, unit, source, allowed range, sensitivity range."""
    extra = {"unit": unit, "source": source}
    if sens is not None:
        extra["sens"] = list(sens)
    return Field(default, description=f"{description} [{unit}]" if description else f"[{unit}]",
                 ge=ge, le=le, gt=gt, lt=lt, json_schema_extra=extra, **kw)



#: Unit of ``diffusion_per_month``: defined on 2.5 km cells, converted to the prey grid by sim.prey.population.
DIFFUSION_UNIT = ("fraction moving to neighbour cells per month, on 2.5 km cells (on other prey cells "
                  "x (2.5 km / cell)², the same km²/month)")

class Params(BaseModel):
    """Base for parameter groups: immutable, unknown keys rejected, no NaN or infinite number
    (a NaN passed every bound check and crashed the run later), and no true/false or quoted
    number where a number belongs (pydantic would quietly convert them)."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_text_or_truth_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic's lax mode turns 'females: true' into 1 and "age_months: '12'" into 12.
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and isinstance(value, (bool, str)) and _is_number(field.annotation):
            if isinstance(value, bool):
                raise ValueError(f"got {str(value).lower()}, must be a number (true/false is not a number)")
            try:
                float(value)
            except ValueError:
                return value                    # not a number at all: pydantic's own message
            raise ValueError(f"got {value!r}, must be a number, not text (write it without quotes)")
        return value


def _is_number(annotation: Any) -> bool:
    """Whether a field's annotation is int or float, optionally with None."""
    if annotation in (int, float):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(a in (int, float) for a in args)
    return False


# --------------------------------------------------------------------------------------------
# Cheetah
# --------------------------------------------------------------------------------------------

KTP = "Mills & Mills 2014, J. Zool. (KTP)"
KELLY = "Kelly et al. 1998, J. Zool. 244:473-488 (Serengeti)"
BISSETT = "Bissett & Bernard 2011, Afr. J. Wildl. Res. 41:181-191 (fenced SA reserves)"
BOTSWANA = "Botswana farm/reserve GPS study 2009 (parameters.md §2)"


class CheetahParams(Params):
    """Life history, energetics, movement and hazards of the cheetah (Acinonyx jubatus)."""

    # --- reproduction ---
    gestation_months: int = P(3, "months", "San Diego Zoo fact sheet: 90-98 d (S); 93 d ≈ 3 months",
                              "Months from conception to birth", ge=2, le=4)
    litter_size_probs: tuple[float, ...] = P(
        (0.03, 0.15, 0.35, 0.30, 0.13, 0.04), "probability of 1..6 cubs",
        f"{KTP}: mean 3.4 (range 2-5) in den; shape (tails 1 and 6) is an assumption; mean 3.47",
        "Litter size distribution at birth, P(1 cub) ... P(6 cubs)")
    sex_ratio_at_birth: float = P(0.5, "probability a cub is male",
                                  "assumption: no sourced estimate (parameters.md §1.1 unconfirmed); "
                                  "Marker 2002 reports apparent equality", ge=0, le=1)
    female_first_conception_months: int = P(
        24, "months", f"C: first litter at 27.4 months ({BISSETT}) to 29 months ({KELLY}) minus gestation",
        "Youngest age at which a female can conceive", ge=12, le=60, sens=(20, 29))
    female_last_breeding_months: int = P(
        144, "months", "Lubben et al. 2008 (captive cheetahs >18 yr do not reproduce; survival falls "
        "after 8.5 yr); 12 yr is the low end of the synthesis' 12-18 yr (parameters.md §9)",
        "Oldest age at which a female conceives", ge=36, le=240)
    male_breeding_months: int = P(
        24, "months", "assumption: males breed <2 yr in captivity, later in the wild once territorial "
        "(Wikipedia 'Cheetah', S)", "Youngest age at which a male can sire", ge=12, le=60)
    conception_prob_per_month: float = P(
        0.5, "probability per month", "assumption: with a mate found, conception within ~2 months "
        "(oestrous cycle ~12 days, induced ovulator: Wikipedia 'Cheetah', S)",
        "Monthly probability that an available female with a mate conceives",
        ge=0, le=1, sens=(0.3, 0.7))
    rebreed_cub_age_months: int = P(
        14, "months", f"C: inter-birth interval 17.8 months without lions ({BISSETT}), shorter than "
        "independence (17.5) + gestation (3): mothers conceive before their litter leaves; 14 + ~1 "
        "month to conceive + 3 of gestation ≈ 18. Fixed by that interval; predicts the growth of "
        "lion-free reintroduced populations", "Age of her dependent cubs from which a mother can conceive "
        "again; her next litter's birth makes them independent", ge=3, le=24, sens=(12, 17))
    remating_delay_months: int = P(
        1, "months", "assumption: females 'become fertile again within a few months' after losing a "
        "whole litter (parameters.md §1.1, value unconfirmed)",
        "Months after losing a whole litter before a female can conceive again", ge=0, le=12)
    mate_search_km: float = P(
        60.0, "km", "assumption: ~2.5 x a typical arid home-range radius (20-25 km); decides the "
        "Allee effect in small populations", "Distance within which a female finds a breeding male",
        gt=0, le=1000, sens=(40, 80))
    breeding_females_must_be_resident: bool = P(
        True, "flag", "assumption: a female raises a litter from a settled range (mothers of young cubs "
        "keep small ranges around the den: Laurenson 1994; 50 % of fixes in 13.9 % of the range, Marker "
        "et al. 2008), so only resident females conceive; space and prey per range then limit breeding",
        "Only resident (settled) females can conceive")
    breeding_males_must_be_resident: bool = P(
        False, "flag", "assumption: floaters can sire in a small reintroduced population "
        "(Melzheimer et al. 2018: territory holders vs floaters)",
        "Only resident (settled) males can sire")

    # --- development ---
    independence_months: float = P(17.5, "months", f"{BISSETT}: 17.5; {KELLY}: 17.1",
                                   "Age at which cubs leave their mother", ge=12, le=24)
    orphan_survival_months: float = P(
        12.0, "months", "assumption: cubs orphaned before ~1 yr cannot hunt (rehabilitated orphans "
        "needed feeding: Walker et al. 2022)", "Cubs of a dead mother survive only if at least this old",
        ge=0, le=24)
    coalition_prob: float = P(
        0.5, "probability", "assumption: brothers 'may stay together for life' (Hilborn, Serengeti "
        "Cheetah Project); no sourced share", "Probability that independent brothers form a coalition",
        ge=0, le=1)

    # --- survival (annual, converted to constant monthly hazards) ---
    cub_survival_base: float = P(
        0.8, "probability birth→independence", "C: ~0.97 from emergence to independence without large "
        "predators (Bissett, Bernard & Parker 2007, fenced SA reserves, G) x ~0.8 survival in the den from "
        "causes other than predators and starvation (assumption: exposure, fire, abandonment, among the "
        "Serengeti causes of Laurenson 1994). Excludes every cause the model adds itself: starvation, "
        "competitor predation, orphaning, inbreeding, harsh winters", "Cub survival from causes the model "
        "does not represent otherwise, birth to independence; cub_survival_after_emergence of it falls after "
        "the den, the rest in the den months", gt=0, le=1, sens=(0.6, 0.95))
    cub_survival_after_emergence: float = P(
        0.97, "probability emergence→independence", "Bissett, Bernard & Parker 2007 (fenced SA reserves "
        "without large predators, G): ~0.97 of cubs seen at emergence reached independence; the same value "
        "cub_survival_base is built from", "Part of cub_survival_base that falls between emergence (den_months) "
        "and independence; the den months carry cub_survival_base / this (at most 1: if cub_survival_base is "
        "higher, the den has no such losses and all fall after it)", gt=0, le=1, sens=(0.85, 1.0))
    subadult_survival_female: float = P(
        0.80, "annual survival", f"C: calibrated with adult survival so female lifespan after independence ≈ 6.2 yr "
        f"({KELLY}); within 40-70 % mortality in years 1-4 of life ({BISSETT})",
        "Annual survival of independent females younger than adult_months", gt=0, le=1, sens=(0.7, 0.9))
    subadult_survival_male: float = P(
        0.70, "annual survival", "C: males survive worse than females (Durant et al. 2004); "
        f"{BISSETT} 40-70 % mortality yr 1-4", "Annual survival of independent males younger than adult_months",
        gt=0, le=1, sens=(0.56, 0.84))
    adult_months: int = P(36, "months", f"assumption: 3 yr; {BISSETT} report high mortality in the first 4 yr",
                          "Age at which the adult survival rate applies", ge=18, le=72)
    adult_survival_female: float = P(
        0.92, "annual survival", f"C: calibrated so mean female lifespan after independence ≈ 6.2 yr ({KELLY}); "
        "sim.analysis.demography.female_lifespan_after_independence gives 6.18 yr with the other defaults; "
        f"0 % mortality at 5-9 yr in {BISSETT}", "Annual survival of adult females before senescence",
        gt=0, le=1, sens=(0.85, 0.95))
    adult_survival_male: float = P(
        0.82, "annual survival", "C: 'males had markedly lower survival than females' (Durant et al. 2004); "
        f"male minimum longevity 2.8-5.3 yr ({KELLY})", "Annual survival of adult males before senescence",
        gt=0, le=1, sens=(0.75, 0.9))
    senescence_months: int = P(102, "months", "Lubben et al. 2008: captive survival declines sharply after 8.5 yr",
                               "Age after which mortality rises", ge=48, le=240)
    senescence_rate_per_year: float = P(
        0.35, "per year (log-hazard slope)", "assumption: Gompertz slope giving few wild cheetahs "
        "older than 14 yr (wild lifespan 10-12 yr, Billabong Zoo, S)",
        "Annual mortality hazard is multiplied by exp(rate x years past senescence_months)", ge=0, le=3)
    max_age_months: int = P(240, "months", "captive maximum ~20 yr (parameters.md §1.2, S)",
                            "Age at which any cheetah dies", ge=60, le=360)

    # --- energetics and hunting ---
    food_kg_per_day: float = P(4.0, "kg eaten per adult per day",
                               "Schaller 1968 (Serengeti): actual intake ~4 kg/day", gt=0, le=15, sens=(3.2, 4.8))
    edible_fraction: float = P(0.6, "fraction of prey body mass eaten",
                               "assumption: carcass fraction consumed unconfirmed (parameters.md §3)",
                               gt=0, le=1, sens=(0.48, 0.72))
    lactation_extra_need: float = P(0.5, "fraction of an adult's daily need",
                                    "assumption: extra need of a mother with cubs < 3 months (milk)",
                                    ge=0, le=2)
    cub_weaning_months: float = P(3.0, "months", "IZW (cheetah-research.org): weaned ~4 months; "
                                  "cubs eat meat from ~2-3 months (assumption within range)", ge=1, le=8)
    search_path_km_per_day: float = P(
        12.3, "km walked per day while searching", "Labuschagne 1981 (Kalahari Gemsbok NP): 12.3 km per "
        "24 h on the spoor of 20 groups, >1,200 km followed (field-values-2 A)",
        "Daily search path of a hunting unit; its search area is the path x twice the prey's detection "
        "radius", gt=0, le=60, sens=(8.0, 16.0))
    den_search_factor: float = P(
        0.51, "multiplier on the search path", "C: 4.17 / 8.16 km/day, females with cubs in the den vs "
        "after it (Houser, Somers & Boast 2009, Botswana)",
        "Search path of a mother whose cubs are younger than den_months", gt=0, le=1, sens=(0.4, 0.7))
    den_months: float = P(2.0, "months", "Laurenson 1994: cubs leave the lair at about 8 weeks",
                          "Age of cubs below which their mother hunts from the den", ge=0, le=6)
    kleptoparasitism: float = P(0.05, "fraction of kills lost", "assumption: kills lost to scavengers "
                                "(jackals, foxes, vultures) where no large competitor is about; 12 % were lost "
                                "in the Serengeti (Schaller 1968), ~1 in 10 in the Kgalagadi (Scantlebury et al. "
                                "2014)", "Share of kills lost besides the competitor kinds' thefts", ge=0, lt=1)
    kleptoparasitism_per_lion: float = P(
        0.51, "km² per lion (loss exponent)", "C: 12 % of kills lost in the Serengeti (Schaller 1968) with "
        "lions (and hyenas) at 0.15/km²: (1 - 0.05) exp(-k x 0.15) = 0.88", "Kills kept x exp(-k x lions/km²)",
        ge=0, le=100, sens=(0.25, 1.0))
    kleptoparasitism_per_wolf: float = P(
        0.13, "km² per wolf (loss exponent)", "assumption: wolves scavenge cheetah kills at a quarter of the "
        "lion rate per animal (no data)", ge=0, le=100, sens=(0.0, 0.51))
    kleptoparasitism_per_leopard: float = P(
        0.26, "km² per leopard (loss exponent)", "assumption: leopards take cheetah kills ('often spotted "
        "hyenas or leopards', BBC Wildlife interview with A. Hilborn), half the lion rate per animal",
        ge=0, le=100, sens=(0.0, 0.51))
    captive_hunting_factor: float = P(
        0.5, "multiplier on hunting success", "assumption: captive-born carnivores are prone to starvation "
        "(Jule et al. 2008); rehabilitated cheetahs needed median 7 supplementary feeds (Walker et al. 2022)",
        "Hunting success multiplier for captive-bred animals during their first year free", gt=0, le=1)
    hunger_effort: float = P(1.0, "extra search effort at an empty reserve (multiplier - 1)",
                             "assumption after Scantlebury et al. 2014 (flexible hunting effort: 25 % "
                             "kill theft costs only +1.1 h hunting/day)",
                             "Search path x (1 + hunger_effort x the unit's reserve deficit, the members' "
                             "1 - condition weighted by their need: a family searches harder when its cubs "
                             "go hungry)", ge=0, le=10)
    reserve_days: float = P(30.0, "days of food", "assumption: a month without food is fatal from full "
                            "condition; Kuno male starved after ≥3 days without food while weakened (S)",
                            "Body reserve when body condition is 1", gt=0, le=120)
    starvation_condition: float = P(
        0.3, "body condition (0-1)", "assumption", "Below this condition a monthly starvation risk "
        "(1 - condition/threshold) applies", gt=0, le=1)

    # --- home range and settlement ---
    home_range_radius_min_km: float = P(5.0, "km", "Phinda: 34-157 km² home ranges at high prey "
                                        "(Hunter, via Wikipedia, S) → radius 3-7 km", gt=0, le=50)
    home_range_radius_max_km: float = P(40.0, "km", "central Namibia ranges up to 7,063 km² "
                                        "(Hunter, via Wikipedia, S); Iran female 3,629 km² "
                                        "(Farhadinia et al. 2013) → radius 34-47 km", gt=0, le=100)
    settle_min_habitat: float = P(0.3, "habitat suitability (0-1)", "assumption",
                                  "A cheetah settles only on cells at least this suitable", ge=0, le=1)
    settle_prob_per_month: float = P(0.5, "probability per month", "assumption: exploratory phases of "
                                     "29-174 days after release (Sievert et al. 2022)", gt=0, le=1)
    abandon_supply_fraction: float = P(
        0.5, "fraction of the group's need", "assumption: cheetahs of migratory-prey systems are "
        "nomadic and track prey (Farhadinia et al. 2013: ~150 km moves between reserves in Iran)",
        "A resident looks for a better range (shift, grow, or leave) when the prey there can sustain "
        "less than this share of its need", ge=0, le=1, sens=(0.3, 0.7))
    track_condition: float = P(
        0.7, "body condition (0-1)", "assumption: a resident whose reserve has fallen below 70 % is not "
        "finding enough in its range", "A resident whose condition is below this looks for a better range",
        ge=0, le=1, sens=(0.5, 0.9))
    male_territory_spacing_km: float = P(
        20.0, "km", "Melzheimer/Wachter letter 2023: male territories ~20-23 km apart (Namibia)",
        "No male settles within this distance of another resident male's centre", gt=0, le=200)
    male_settle_near_female_km: float = P(
        34.0, "km", "C: a male's monthly search spread (daily_travel_km_male x √30.44 days, Houser et "
        "al. 2009); territorial males hold territories where females pass (Caro 1994, Cheetahs of the "
        "Serengeti Plains; marking hubs visited by females, Melzheimer et al. 2020, PNAS 117:33325)",
        "A male settles only within this distance of a resident female's centre (while any female is "
        "resident); 0: anywhere", ge=0, le=500, sens=(17.0, 68.0))
    female_overlap_max: int = P(
        3, "resident females", "assumption: female ranges overlap (15.8 % overlap, Marker et al. 2008)",
        "A female does not settle where this many resident females already centre within her radius",
        ge=0, le=50)

    # --- movement ---
    daily_travel_km_female: float = P(2.16, "km/day", f"{BOTSWANA}: females 2.16 ± 0.07 km/day", gt=0, le=50)
    daily_travel_km_male: float = P(6.13, "km/day", f"{BOTSWANA}: males 6.13 ± 0.30 km/day", gt=0, le=50)
    walk_substeps: int = P(8, "moves per month", "assumption: resolution of the monthly walk",
                           "Sub-steps of the walk of a non-resident cheetah each month", ge=1, le=60)
    walk_habitat_bias: float = P(2.0, "exponent", "assumption", "habitat_walk, prey_walk: weight of a "
                                 "direction is habitat^bias at its destination", ge=0, le=20)
    walk_prey_bias: float = P(
        1.0, "exponent", "assumption: walkers head for prey as well as habitat (Asiatic cheetahs move "
        "between reserves with prey: Farhadinia et al. 2013, 2016)", "prey_walk: the weight of a "
        "direction is also x (1 + prey biomass at its destination / walk_prey_reference_kg_km2)^bias",
        ge=0, le=10)
    walk_prey_reference_kg_km2: float = P(
        10.0, "kg of prey per km²", "assumption: about the biomass of 0.3 gazelles/km², where Namibian "
        "farmland cheetahs hold ranges (Marker et al. 2008)", "prey_walk: prey biomass that doubles "
        "a direction's weight (at walk_prey_bias 1)", gt=0, le=10000)
    walk_persistence: float = P(0.6, "probability", "assumption", "correlated_walk: probability of "
                                "keeping the previous heading", ge=0, le=1)

    # --- hazards from people, roads, competitors, release ---
    human_hazard_per_year: float = P(
        0.25, "annual hazard at human = 1, protection = 0", "assumption: people caused 79 % of "
        "reported deaths on Namibian farmland (Marker 2002); herders' dogs a major cause in Iran "
        "(Farhadinia et al. 2018)", gt=None, ge=0, le=5, sens=(0.2, 0.3))
    road_crossing_mortality: float = P(
        0.003, "probability per road crossing", "assumption: 1-2 road deaths/yr among ~40-70 Iranian "
        "cheetahs (Current Biology 2018)", ge=0, le=1, sens=(0.0024, 0.0036))
    resident_road_crossings_per_month: float = P(
        4.0, "crossings per month", "assumption: a resident whose range holds a road crosses it "
        "about weekly", ge=0, le=60)
    cub_predation_per_lion: float = P(
        1.1, "monthly hazard per (lion/km²)", "C: Serengeti cub survival 0.048 birth→independence "
        "(Laurenson 1994) with lions at 0.15/km² (assumed Serengeti density; hyenas folded in) over the 17 "
        "monthly draws of a cub: 0.8 (cub_survival_base) x exp(-h x 0.15 x 17) = 0.048. Fixed by the "
        "Serengeti; predicts the Kgalagadi ratio", ge=0, le=100, sens=(0.88, 1.32))
    cub_predation_per_wolf: float = P(
        0.28, "monthly hazard per (wolf/km²)", "assumption: no record of wolves taking cheetah cubs was "
        "found; wolves hunt ungulates in packs and take what they find at dens: a quarter of the lion "
        "rate per animal", ge=0, le=100, sens=(0.0, 1.1))
    cub_predation_per_leopard: float = P(
        1.1, "monthly hazard per (leopard/km²)", "assumption: leopards kill cheetahs (Bafq, Iran: Zool. "
        "Middle East 2019; a released male killed by a leopard in Namibia, Walker et al. 2022): the lion "
        "rate per animal", ge=0, le=100, sens=(0.28, 2.2))
    release_survival_wild: float = P(
        0.89, "first-year survival factor", "C: 0.80 first-year survival of adults (Liwonde; "
        "parameters.md §9) / 0.90 background", "Extra first-year survival factor of wild-caught releases "
        "(hard release)", gt=0, le=1, sens=(0.8, 0.95))
    release_survival_captive: float = P(
        0.68, "first-year survival factor", "C: 0.61 annual survival of released captive-raised "
        "cheetahs (Walker et al. 2022) / 0.90 background", gt=0, le=1, sens=(0.55, 0.8))
    soft_release_hazard_factor: float = P(
        0.6, "multiplier on post-release hazard", "C: release training raised survival 0.55→0.75 "
        "(Walker et al. 2022; mapping of table rows uncertain)", gt=0, le=1)
    release_hazard_months: float = P(4.0, "months (e-folding time)", "assumption: exploration phases "
                                     "29-174 days (Sievert et al. 2022)",
                                     "Post-release hazard fades as exp(-months since release / this)",
                                     gt=0, le=24)
    neutral_loci: int = P(20, "loci", "assumption: enough neutral loci for a precise gene-diversity "
                          "estimate (Vortex tracks founder-unique alleles at neutral loci)", ge=1, le=200)
    walker_hunt_radius_km: float = P(10.0, "km", "assumption: a non-resident hunts within about a "
                                     "day's travel of where it is", gt=0, le=100)
    lethal_equivalents: float = P(6.29, "lethal equivalents (B, per gamete)", "Vortex default (O'Grady "
                                  "et al. 2006); MODEL.md §3.6", "Inbreeding depression of first-year "
                                  "survival, split by lethal_share", ge=0, le=30, sens=(3.0, 12.0))
    lethal_share: float = P(
        0.5, "fraction of B", "Vortex default 50 %; Lande 1988 (Science 241:1455): roughly half of "
        "inbreeding depression comes from nearly recessive lethal mutations",
        "Share of the lethal equivalents due to recessive lethal alleles: each founder carries one "
        "unique recessive lethal at each of round(2 B share) loci (a gamete then carries B share "
        "lethals on average) and a cub homozygous for one dies before age one (purged by selection); "
        "the rest acts as first-year survival x exp(-B (1 - share) F)", ge=0, le=1)
    kin_avoidance_kinship: float = P(
        0.25, "kinship θ", "assumption: no direct evidence of kin recognition in cheetahs was found; "
        "males disperse farther than females (many Serengeti males emigrate, Kelly et al. 1998), "
        "which makes close matings rare; here a female refuses a male as related as a father, son or "
        "full brother (θ ≥ 0.25); 0.5 or more switches the rule off", "A female does not mate with a "
        "male whose kinship with her is at least this", gt=0, le=1, sens=(0.125, 1.0))

    @model_validator(mode="after")
    def _check(self) -> "CheetahParams":
        s = sum(self.litter_size_probs)
        if len(self.litter_size_probs) < 1 or abs(s - 1) > 1e-6 or min(self.litter_size_probs) < 0:
            raise ValueError(f"litter_size_probs must be non-negative and sum to 1 (got sum {s:.4f})")
        if self.home_range_radius_min_km > self.home_range_radius_max_km:
            raise ValueError("home_range_radius_min_km must not exceed home_range_radius_max_km")
        if self.female_first_conception_months >= self.female_last_breeding_months:
            raise ValueError("female_first_conception_months must be below female_last_breeding_months")
        return self

    @property
    def mean_litter_size(self) -> float:
        """Mean cubs per litter at birth, from ``litter_size_probs``."""
        return sum((i + 1) * p for i, p in enumerate(self.litter_size_probs))


# --------------------------------------------------------------------------------------------
# Prey
# --------------------------------------------------------------------------------------------

class PreySpeciesParams(Params):
    """One prey species as a density field (animals per cell)."""

    migratory: bool = P(False, "flag", "species trait: capacity layers <name>_winter / <name>_summer "
                        "(True) or one layer <name>")
    water_dependent: bool = P(False, "flag", "species trait: capacity raised near water points "
                              "(management.water_capacity_gain)")

    body_mass_kg: float = P(30.0, "kg", "", gt=0, le=500)
    r_max: float = P(0.3, "per year (ln λ_max)", "", ge=0, le=2)
    theta: float = P(1.0, "theta-logistic exponent", "assumption: logistic (θ = 1)", gt=0, le=10)
    annual_survival: float = P(0.85, "annual survival (natural)", "", gt=0, le=1)
    birth_month: int = P(4, "month (0 = January)", "", ge=0, le=11)
    poaching_per_year: float = P(0.05, "annual fraction poached where unprotected", "", ge=0, lt=1)
    diffusion_per_month: float = P(0.1, DIFFUSION_UNIT, "", ge=0, le=0.8)
    initial_total: float | None = P(1000.0, "animals on the whole map at the start",
                                    "", "None: at capacity (the season's capacity layer)", ge=0)
    capacity_multiplier: float = P(1.0, "multiplier on the landscape's capacity layer",
                                   "scenario knob (1 = the landscape's K)", ge=0, le=100)
    cheetah_preference: float = P(1.0, "relative attack-rate weight",
                                  "Hayward et al. 2006: preferred mass 23-56 kg (mode 36)", ge=0, le=1)
    detection_radius_km: float = P(
        0.5, "km", "Mills & Mills (Kgalagadi): prey movement detected at several hundred metres, gemsbok "
        "spotted at ~300 m (field-values-2 A)", "Distance at which a searching cheetah detects this prey",
        gt=0, le=5, sens=(0.3, 0.8))
    hunt_success: float = P(0.5, "probability a hunt succeeds", "Schaller 1968: ~50 % on Thomson's "
                            "gazelles (Serengeti); Broomhall 2002: 20.7 % overall (Kruger)", gt=0, le=1,
                            sens=(0.25, 0.6))
    handling_days: float = P(
        0.5, "days per kill", "C: a Serengeti female killed 24 gazelles in 26 days (Schaller 1968), so a kill "
        "takes under a day; assumption 0.5 d", "Time a unit spends on one kill (chase, eating, rest), shared "
        "by its adult-equivalents", gt=0, le=10, sens=(0.25, 1.0))
    harsh_winter_mortality: float = P(0.2, "fraction killed by a harsh winter (dzhut)",
                                      "assumption", ge=0, le=1)


class SaigaParams(PreySpeciesParams):
    """Saiga antelope (Saiga tatarica): migratory, male-biased poaching, reproductive collapse."""

    migratory: bool = P(True, "flag", "CMS 2024 saiga migration fact sheet: southern wintering, northern "
                        "summering areas several hundred km apart")

    body_mass_kg: float = P(33.0, "kg", "C: midpoint of males 32-51 and females 21-41 kg (S); adult "
                            "females and young dominate", gt=0, le=500)
    r_max: float = P(0.40, "per year (ln λ_max)", "C: λ_max 1.35-1.60 in good years (Ustyurt 2016→2019 "
                     "1.46/yr; Zuther & Salemgareev 2016) → ln 1.5", ge=0, le=2, sens=(0.32, 0.48))
    annual_survival: float = P(0.80, "annual survival (natural)", "assumption: females live to 9 yr, "
                               "males 3-4 yr (ksu.kz, S)", gt=0, le=1)
    birth_month: int = P(4, "month (0 = January)", "Astana Times 2023; CMS 2024: calving early May",
                         ge=0, le=11)
    poaching_per_year: float = P(0.04, "annual fraction poached where unprotected",
                                 "assumption: low since the 2016-2024 recovery (46-60 %/yr growth)",
                                 ge=0, lt=1, sens=(0.032, 0.048))
    diffusion_per_month: float = P(0.3, DIFFUSION_UNIT,
                                   "assumption: nomadic, 7.6-16.5 km/day (Mongolian collars)", ge=0, le=0.8)
    initial_total: float = P(60000.0, "animals", "Altyn Dala 2024 aerial census: 63,600 on Ustyurt "
                             "(Kazakh side); 60,000 after the 2025 culling talk (rounded)", ge=0)
    cheetah_preference: float = P(1.0, "relative attack-rate weight",
                                  "Hayward et al. 2006: 21-51 kg inside the preferred 23-56 kg", ge=0, le=1)
    harsh_winter_mortality: float = P(0.3, "fraction killed by a harsh winter (dzhut)",
                                      "assumption: dzhut winters cause mass saiga losses (Bekenov et al. 1998)",
                                      ge=0, le=1)
    male_poaching_share: float = P(0.9, "share of poached saiga that are males",
                                   "assumption: horns only on males (Milner-Gulland et al. 2003)", ge=0, le=1)
    male_extra_mortality: float = P(2.0, "multiplier on male natural mortality",
                                    "C: males live 3-4 yr vs females 9 yr (S)", ge=1, le=10)
    male_fraction_collapse: float = P(
        0.01, "adult male fraction", "Milner-Gulland et al. 2003: fecundity collapses when adult males "
        "fall below ~1 %", "Fecundity is x (1 - exp(-male_fraction / this))", gt=0, le=0.5)
    initial_male_fraction: float = P(0.25, "adult male fraction", "assumption: ~1 M : 3 F after "
                                     "poaching eased", gt=0, lt=1)
    migration_gap_throughput: float = P(
        3000.0, "saiga per open fence edge (2.5 km) per migration", "assumption: 125 openings "
        "later cut in the fence (WildNet); passage capacity unmeasured", ge=0)
    spring_migration_month: int = P(3, "month (0 = January)", "CMS 2024: northward in spring", ge=0, le=11)
    autumn_migration_month: int = P(10, "month (0 = January)", "CMS 2024: southward in autumn", ge=0, le=11)


class GazelleParams(PreySpeciesParams):
    """Goitered gazelle (Gazella subgutturosa)."""

    water_dependent: bool = P(True, "flag", "MODEL.md (landscape layer water: raises gazelle capacity "
                              "around water points)")

    body_mass_kg: float = P(27.0, "kg", "Great Soviet Encyclopedia: up to 33 kg; ~30 kg (S)", gt=0, le=500)
    r_max: float = P(0.30, "per year (ln λ_max)", "assumption: unconfirmed; Pereladova et al. 1998 "
                     "founders → 1,224 in 12 yr imply fast growth", ge=0, le=2, sens=(0.24, 0.36))
    annual_survival: float = P(0.85, "annual survival (natural)", "assumption: longevity ~12 yr (AnAge, S)",
                               gt=0, le=1)
    birth_month: int = P(4, "month (0 = January)", "Kazakhstan: parturition May", ge=0, le=11)
    poaching_per_year: float = P(0.06, "annual fraction poached where unprotected",
                                 "assumption: ~90 % decline in Kazakhstan (ACBK 2020)", ge=0, lt=1)
    diffusion_per_month: float = P(0.1, DIFFUSION_UNIT, "assumption",
                                   ge=0, le=0.8)
    initial_total: float = P(3000.0, "animals", "assumption: Ustyurt numbers unconfirmed; a few "
                             "thousand (ACBK surveys not retrieved)", ge=0)
    cheetah_preference: float = P(1.0, "relative attack-rate weight", "Hayward et al. 2006", ge=0, le=1)
    harsh_winter_mortality: float = P(0.3, "fraction killed by a harsh winter",
                                      "assumption: snow > 10-15 cm limits the species (ADW, S)", ge=0, le=1)


class UrialParams(PreySpeciesParams):
    """Ustyurt urial (Ovis vignei arkal), on the escarpments (chinks)."""

    body_mass_kg: float = P(45.0, "kg", "ewes up to ~45 kg, rams up to ~90 kg (S); lambs and ewes "
                            "taken most (assumption)", gt=0, le=500)
    r_max: float = P(0.20, "per year (ln λ_max)", "assumption: ~70 % lamb mortality (Sludskii et al. 1981)",
                     ge=0, le=2)
    annual_survival: float = P(0.88, "annual survival (natural)", "assumption", gt=0, le=1)
    birth_month: int = P(3, "month (0 = January)", "assumption: lambing April", ge=0, le=11)
    poaching_per_year: float = P(0.04, "annual fraction poached where unprotected", "assumption",
                                 ge=0, lt=1)
    diffusion_per_month: float = P(0.02, DIFFUSION_UNIT,
                                   "Babenko & Khairulina: semi-migratory, limited movements", ge=0, le=0.8)
    initial_total: float = P(2400.0, "animals", "C: 40 % of ~6,000 Kazakh urial on the Western Chink "
                             "(Red Book of Kazakhstan)", ge=0)
    cheetah_preference: float = P(0.7, "relative attack-rate weight", "Zamani et al. 2017: wild sheep "
                                  ">50 % of Asiatic cheetah diet biomass; rams above 56 kg avoided",
                                  ge=0, le=1)
    hunt_success: float = P(0.25, "probability a hunt succeeds", "assumption: wild sheep escape onto the "
                            "chinks' cliffs, half the success on open-ground gazelles (Schaller 1968: 50 %); "
                            "Broomhall 2002: 20.7 % overall (Kruger)", gt=0, le=1, sens=(0.15, 0.4))
    handling_days: float = P(1.0, "days per kill", "assumption: a 45 kg sheep feeds a cheetah about twice "
                             "as long as a gazelle (0.5 d)", gt=0, le=10, sens=(0.5, 1.5))
    harsh_winter_mortality: float = P(0.1, "fraction killed by a harsh winter", "assumption", ge=0, le=1)


class HareParams(PreySpeciesParams):
    """Tolai hare (Lepus tolai): small prey, renewing fast, a food source besides the ungulates."""

    body_mass_kg: float = P(2.1, "kg", "1.6-2.6 kg (UNDP Kyrgyz fauna atlas; encyclopaedias; field-values-2 D)",
                            gt=0, le=500)
    r_max: float = P(1.0, "per year (ln λ_max)", "assumption: 3-4 litters a year of 3-10 young, numbers "
                     "swinging strongly between years (UNDP Kyrgyz atlas, G): hares can nearly triple in a "
                     "good year", ge=0, le=3, sens=(0.5, 1.5))
    annual_survival: float = P(0.4, "annual survival (natural)", "assumption: small lagomorphs live short "
                               "lives; with r_max 1.0 a year's births replace ~60 % of the stock", gt=0, le=1)
    birth_month: int = P(4, "month (0 = January)", "assumption: the spring and summer litters as one pulse "
                         "in May", ge=0, le=11)
    poaching_per_year: float = P(0.0, "annual fraction poached where unprotected",
                                 "assumption: not a target of commercial poaching", ge=0, lt=1)
    diffusion_per_month: float = P(0.05, DIFFUSION_UNIT, "assumption: sedentary", ge=0, le=0.8)
    initial_total: float | None = P(None, "animals", "at capacity (the landscape's hare layer: assumption "
                                    "~2/km² on the open plateau, Chammem et al. 2017 proxy)", ge=0)
    cheetah_preference: float = P(1.0, "relative attack-rate weight", "Mills & Mills (Kgalagadi): hares 18 % "
                                  "of kills, favoured by single males (field-values-2 A)", ge=0, le=1)
    detection_radius_km: float = P(0.05, "km", "assumption: hares lie up and are flushed at close range",
                                   gt=0, le=5, sens=(0.02, 0.1))
    hunt_success: float = P(0.5, "probability a hunt succeeds", "assumption: as on gazelles (Schaller 1968)",
                            gt=0, le=1, sens=(0.3, 0.7))
    handling_days: float = P(0.05, "days per kill", "assumption: about an hour for a 2 kg hare", gt=0, le=10)
    harsh_winter_mortality: float = P(0.3, "fraction killed by a harsh winter", "assumption", ge=0, le=1)


class PreyParams(Params):
    """The prey species, one field each (their order is :data:`SPECIES`)."""

    saiga: SaigaParams = SaigaParams()
    gazelle: GazelleParams = GazelleParams()
    urial: UrialParams = UrialParams()
    hare: HareParams = HareParams()

    def species(self) -> dict[str, PreySpeciesParams]:
        """The parameters of each prey species by name, in :data:`SPECIES` order."""
        return {name: getattr(self, name) for name in SPECIES}


#: The prey species in their order in every array (the fields of :class:`PreyParams`).
SPECIES: tuple[str, ...] = tuple(PreyParams.model_fields)


# --------------------------------------------------------------------------------------------
# Environment: year effects and catastrophes
# --------------------------------------------------------------------------------------------

class EnvironmentParams(Params):
    """Annual environmental variation and catastrophes (drawn each January)."""

    ev_survival_sd: float = P(0.10, "SD of the log hazard multiplier", "assumption: Vortex-style EV "
                              "of survival", ge=0, le=2)
    ev_capacity_sd: float = P(0.20, "SD of the log prey-capacity multiplier", "assumption: rainfall "
                              "75-100 mm/yr varies strongly between years", ge=0, le=2)
    ev_correlation: float = P(0.5, "correlation", "assumption: a poor year is poor for prey and "
                              "cheetahs alike", ge=-1, le=1)
    harsh_winter_prob: float = P(0.10, "probability per year", "assumption: dzhut about once a decade",
                                 ge=0, le=1, sens=(0.08, 0.12))
    harsh_winter_cheetah_survival: float = P(
        0.85, "survival factor over the winter", "assumption: no data on cheetah cold tolerance "
        "(parameters.md §10)", gt=0, le=1)
    saiga_die_off_prob: float = P(0.075, "probability per year", "C: 3 mass die-offs in ~40 yr "
                                  "(twice in the 1980s, 2015; Kock et al. 2018)", ge=0, le=1)
    saiga_die_off_severity: float = P(0.6, "fraction of saiga killed", "assumption: 2015 killed >80 % "
                                      "of the affected population (Kock et al. 2018); earlier events smaller",
                                      ge=0, le=1)
    die_off_month: int = P(4, "month (0 = January)", "Kock et al. 2018: May 2015, at calving", ge=0, le=11)
    drought_prob: float = P(0.0, "probability per year", "assumption: ordinary dry years are in "
                            "ev_capacity_sd; a distinct drought catastrophe is off unless a climate scenario "
                            "sets it (environment.trends)", "Drought: a year of low prey capacity", ge=0, le=1)
    drought_capacity_factor: float = P(0.5, "multiplier on prey K in a drought year", "assumption: a "
                                       "failed spring halves forage (no Ustyurt series found)", ge=0, le=1)


# --------------------------------------------------------------------------------------------
# Management baseline (values in force from year 1 unless events change them)
# --------------------------------------------------------------------------------------------

class ManagementBaseline(Params):
    enforcement: float = P(0.5, "0-1", "assumption: protected areas partly enforced today",
                           "Anti-poaching strength: poaching and persecution x (1 - protection x enforcement)",
                           ge=0, le=1, sens=(0.4, 0.6))
    human_hazard_factor: float = P(1.0, "multiplier", "1 = conflict as today", ge=0, le=10)
    road_hazard_factor: float = P(1.0, "multiplier", "1 = road mortality as today", ge=0, le=10)
    water_capacity_gain: float = P(1.5, "multiplier on gazelle K within water_radius_km of water",
                                   "assumption: gazelles gather at waterholes in late summer (GSE, S)",
                                   ge=1, le=10)
    water_radius_km: float = P(10.0, "km", "assumption", gt=0, le=100)
