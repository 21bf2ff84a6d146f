//! Claim kind × whose offer it is about × what the registry says that one holds → a verdict with its reason.
//!
//! Pure and total: every (kind, standing) pair has exactly one verdict. The date and the
//! registry are already folded into the [`Standing`], so the same inputs always give the same
//! verdict. Who a claim is about is resolved first ([`attribution`]).

pub mod attribution;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use attribution::{Attribution, Demotion, Subject, VendorNames, attribute, registrable_label};

use crate::detect::Claim;
use crate::i18n::{NBSP, NNBSP, date_fr, guillemets};
use crate::patterns::ClaimKind;
use crate::registry::{Lapse, Standing};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    /// The registry cannot say: reported, never alerted as a violation.
    Unverified,
    Warning,
    Violation,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Unverified => "unverified",
            Level::Warning => "warning",
            Level::Violation => "violation",
        }
    }

    /// Warnings and violations need someone's attention.
    pub fn needs_attention(self) -> bool {
        matches!(self, Level::Warning | Level::Violation)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub level: Level,
    /// Which case applied, in English.
    pub reason: String,
    /// The same in French, for French alerts.
    #[serde(default)]
    pub reason_fr: String,
}

impl Verdict {
    pub fn reason_in(&self, lang: crate::config::Lang) -> &str {
        match lang {
            crate::config::Lang::Fr if !self.reason_fr.is_empty() => &self.reason_fr,
            _ => &self.reason,
        }
    }
}

fn verdict(level: Level, en: impl Into<String>, fr: impl Into<String>) -> Verdict {
    Verdict { level, reason: en.into(), reason_fr: fr.into() }
}

/// The verdict on a claim of `kind` by a vendor whose registry standing is `standing`.
pub fn judge(kind: ClaimKind, standing: &Standing) -> Verdict {
    use ClaimKind::*;
    use Level::*;
    match kind {
        Mention => {
            return verdict(Ok, "a mention of the label, not a claim", "une mention du label, pas une revendication");
        }
        Negation => return verdict(Ok, "says the label is not held", "indique que le label n'est pas détenu"),
        Assertion | InProgress | Adjacent => {}
    }
    let (en, fr) = match standing {
        Standing::NotCovered { scheme } => {
            return verdict(
                Unverified,
                format!("the registry does not cover the {scheme} scheme"),
                format!("le registre ne couvre pas le référentiel {scheme}"),
            );
        }
        // A provider that never matched is a configuration mistake, not a finding: nothing is
        // mailed on a typo.
        Standing::UnknownProvider { provider } => {
            return verdict(
                Unverified,
                format!("provider {provider} is not in the registry"),
                format!("le prestataire {provider} n'est pas au registre"),
            );
        }
        Standing::Holds { provider, offers, until } => {
            let until_en = until.map_or(String::new(), |d| format!(", valid until {d}"));
            let until_fr = until.map_or(String::new(), |d| format!(", valable jusqu'au {}", date_fr(d)));
            return verdict(
                Ok,
                format!("{provider} holds it for {}{until_en}", quote_list(offers)),
                format!("{provider} le détient pour {}{until_fr}", quote_list_fr(offers)),
            );
        }
        Standing::InProgress { provider, offers, since } => {
            let since_en = since.map_or(String::new(), |d| format!(" since {d}"));
            let since_fr = since.map_or(String::new(), |d| format!(" depuis le {}", date_fr(d)));
            let en = format!("{provider} is only in progress{since_en} ({})", quote_list(offers));
            let fr =
                format!("{provider} est seulement en cours de qualification{since_fr} ({})", quote_list_fr(offers));
            return match kind {
                Assertion => verdict(
                    Violation,
                    format!("{en}: it claims a qualification it does not hold"),
                    format!("{fr}{NBSP}: il revendique une qualification qu'il ne détient pas"),
                ),
                InProgress => verdict(Ok, en, fr),
                _ => verdict(
                    Warning,
                    format!("{en}; the wording borrows the label"),
                    format!("{fr}{NNBSP}; la formulation emprunte le label"),
                ),
            };
        }
        Standing::NoVendor => (
            "no vendor given: judged as holding nothing".to_string(),
            format!("aucun fournisseur indiqué{NBSP}: jugé comme ne détenant rien"),
        ),
        Standing::NoProvider { vendor } => (
            format!("vendor {vendor} has no registry provider: it holds nothing"),
            format!("le fournisseur {vendor} n'a pas d'entrée au registre{NBSP}: il ne détient rien"),
        ),
        Standing::NoEntry { provider } => (
            format!("no registry entry for provider {provider}"),
            format!("aucune entrée au registre pour le prestataire {provider}"),
        ),
        Standing::Departed { provider, last_as_of } => (
            format!(
                "{provider} is no longer in the registry (last seen in the registry as of {last_as_of}): it holds nothing"
            ),
            format!(
                "{provider} ne figure plus au registre (vu pour la dernière fois dans le registre du {}){NBSP}: il ne détient rien",
                date_fr(*last_as_of)
            ),
        ),
        Standing::Lapsed { lapse, .. } => lapse_text(lapse),
    };
    match kind {
        Assertion | InProgress => verdict(Violation, en, fr),
        _ => verdict(
            Warning,
            format!("{en}; the wording borrows the label"),
            format!("{fr}{NNBSP}; la formulation emprunte le label"),
        ),
    }
}

/// The verdict on an attributed claim. `own` is what the vendor holds; `named` what the
/// organisation the claim names holds (`None`: no name, or one the registry does not know).
pub fn judge_claim(claim: &Claim, own: &Standing, named: Option<&Standing>) -> Verdict {
    let kind = claim.kind;
    if let Some(why) = claim.demoted {
        let (en, fr) = why.text();
        return verdict(Level::Ok, format!("a mention: {en}"), format!("une mention{NBSP}: {fr}"));
    }
    let name = claim.subject_name.as_deref().unwrap_or("");
    match claim.subject {
        Subject::Generic => judge(ClaimKind::Mention, own),
        Subject::Own => {
            let v = judge(kind, own);
            match (kind, claim.subject_name.as_deref()) {
                (ClaimKind::Adjacent, Some(lender)) => {
                    let (en, fr) = lender_text(lender, named);
                    Verdict {
                        reason: format!("{}; {en}", v.reason),
                        reason_fr: format!("{}{NNBSP}; {fr}", v.reason_fr),
                        ..v
                    }
                }
                _ => v,
            }
        }
        Subject::ThirdParty => match kind {
            ClaimKind::Assertion | ClaimKind::InProgress => third_party(kind, name, named),
            _ => judge(kind, &Standing::NoVendor),
        },
    }
}

/// What an own borrowing says of the organisation it borrows from.
fn lender_text(lender: &str, named: Option<&Standing>) -> (String, String) {
    match named {
        Some(Standing::Holds { .. }) => (
            format!("it borrows the label of {lender}, which holds it"),
            format!("il emprunte le label de {lender}, qui le détient"),
        ),
        Some(Standing::NotCovered { .. }) | None => (
            format!("it borrows the label of {lender}, whom the registry does not know"),
            format!("il emprunte le label de {lender}, que le registre ne connaît pas"),
        ),
        Some(_) => (
            format!("it names {lender} as qualified; {lender} holds nothing"),
            format!("il présente {lender} comme qualifié{NNBSP}; {lender} ne détient rien"),
        ),
    }
}

/// A claim about another organisation, judged against what that organisation holds.
fn third_party(kind: ClaimKind, name: &str, named: Option<&Standing>) -> Verdict {
    let Some(standing) = named else {
        return verdict(
            Level::Unverified,
            format!("names {name}, whom the registry does not know"),
            format!("cite {name}, que le registre ne connaît pas"),
        );
    };
    match (standing, kind) {
        (Standing::NotCovered { scheme }, _) => verdict(
            Level::Unverified,
            format!("names {name}; the registry does not cover the {scheme} scheme"),
            format!("cite {name}{NNBSP}; le registre ne couvre pas le référentiel {scheme}"),
        ),
        (Standing::Holds { provider, offers, .. }, _) => verdict(
            Level::Ok,
            format!("names {name}: {provider} holds it for {}", quote_list(offers)),
            format!("cite {name}{NBSP}: {provider} le détient pour {}", quote_list_fr(offers)),
        ),
        (Standing::InProgress { .. }, ClaimKind::InProgress) => verdict(
            Level::Ok,
            format!("names {name} as in progress, which it is"),
            format!("cite {name} comme en cours de qualification, ce qu'il est"),
        ),
        (Standing::InProgress { .. }, _) => verdict(
            Level::Warning,
            format!("names {name} as qualified; {name} is only in progress"),
            format!("présente {name} comme qualifié{NNBSP}; {name} est seulement en cours de qualification"),
        ),
        (_, ClaimKind::InProgress) => verdict(
            Level::Warning,
            format!("names {name} as in progress; {name} holds nothing"),
            format!("présente {name} comme en cours de qualification{NNBSP}; {name} ne détient rien"),
        ),
        _ => verdict(
            Level::Warning,
            format!("names {name} as qualified; {name} holds nothing"),
            format!("présente {name} comme qualifié{NNBSP}; {name} ne détient rien"),
        ),
    }
}

/// Why nothing is held, in English and French.
fn lapse_text(lapse: &Lapse) -> (String, String) {
    match lapse {
        Lapse::NotYet { offer, since } => (
            format!("qualification of «{offer}» starts only on {since}"),
            format!("la qualification de {} ne commence que le {}", guillemets(offer), date_fr(*since)),
        ),
        Lapse::Expired { offer, until: Some(d) } => (
            format!("qualification of «{offer}» expired on {d}"),
            format!("la qualification de {} a expiré le {}", guillemets(offer), date_fr(*d)),
        ),
        Lapse::Expired { offer, until: None } => (
            format!("qualification of «{offer}» has expired"),
            format!("la qualification de {} a expiré", guillemets(offer)),
        ),
        Lapse::Withdrawn { offer, until: Some(d) } => (
            format!("qualification of «{offer}» was withdrawn on {d}"),
            format!("la qualification de {} a été retirée le {}", guillemets(offer), date_fr(*d)),
        ),
        Lapse::Withdrawn { offer, until: None } => (
            format!("qualification of «{offer}» was withdrawn"),
            format!("la qualification de {} a été retirée", guillemets(offer)),
        ),
        Lapse::InProgressFrom { offer, since } => (
            format!("«{offer}» is in progress only from {}", since.map_or(String::new(), |d| d.to_string())),
            format!(
                "{} n'est en cours de qualification qu'à partir du {}",
                guillemets(offer),
                since.map_or(String::new(), date_fr)
            ),
        ),
    }
}

fn quote_list_fr(items: &[String]) -> String {
    items.iter().map(|o| guillemets(o)).collect::<Vec<_>>().join(", ")
}

fn quote_list(items: &[String]) -> String {
    items.iter().map(|o| format!("«{o}»")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn holds() -> Standing {
        Standing::Holds { provider: "OVH".into(), offers: vec!["Bare Metal Pod".into()], until: Some(d("2028-03-24")) }
    }
    fn in_progress() -> Standing {
        Standing::InProgress {
            provider: "Bleu".into(),
            offers: vec!["IaaS/PaaS/CaaS".into()],
            since: Some(d("2025-04-17")),
        }
    }
    fn nothing() -> Vec<Standing> {
        vec![
            Standing::NoVendor,
            Standing::NoProvider { vendor: "clever".into() },
            Standing::NoEntry { provider: "Foo".into() },
            Standing::Lapsed {
                provider: "X".into(),
                lapse: Lapse::Expired { offer: "Y".into(), until: Some(d("2024-01-31")) },
            },
        ]
    }

    #[test]
    fn the_verdict_table_of_the_issue_holds_cell_by_cell() {
        use ClaimKind::*;
        use Level::*;
        let table = [
            (Assertion, Ok, Violation, Violation),
            (InProgress, Ok, Ok, Violation),
            (Adjacent, Ok, Warning, Warning),
            (Mention, Ok, Ok, Ok),
            (Negation, Ok, Ok, Ok),
        ];
        for (kind, when_held, when_in_progress, when_nothing) in table {
            assert_eq!(judge(kind, &holds()).level, when_held, "{kind} held");
            assert_eq!(judge(kind, &in_progress()).level, when_in_progress, "{kind} in progress");
            for s in nothing() {
                assert_eq!(judge(kind, &s).level, when_nothing, "{kind} {s:?}");
            }
        }
    }

    #[test]
    fn uncovered_schemes_are_unverified_never_violations() {
        let s = Standing::NotCovered { scheme: "hds".into() };
        for kind in [ClaimKind::Assertion, ClaimKind::InProgress, ClaimKind::Adjacent] {
            let v = judge(kind, &s);
            assert_eq!(v.level, Level::Unverified);
            assert!(v.reason.contains("hds"));
        }
        assert_eq!(judge(ClaimKind::Mention, &s).level, Level::Ok);
    }

    #[test]
    fn reasons_say_which_case_applied() {
        let lapsed = Standing::Lapsed {
            provider: "X".into(),
            lapse: Lapse::Expired { offer: "Y".into(), until: Some(d("2024-01-31")) },
        };
        assert_eq!(judge(ClaimKind::Assertion, &lapsed).reason, "qualification of «Y» expired on 2024-01-31");
        let none = Standing::NoEntry { provider: "Foo".into() };
        assert_eq!(judge(ClaimKind::Assertion, &none).reason, "no registry entry for provider Foo");
        assert!(judge(ClaimKind::Assertion, &in_progress()).reason.contains("only in progress since 2025-04-17"));
        assert!(judge(ClaimKind::Assertion, &holds()).reason.contains("valid until 2028-03-24"));
    }

    #[test]
    fn every_reason_exists_in_french_with_french_typography() {
        let lapsed = Standing::Lapsed {
            provider: "X".into(),
            lapse: Lapse::Expired { offer: "Y".into(), until: Some(d("2024-01-31")) },
        };
        assert_eq!(
            judge(ClaimKind::Assertion, &lapsed).reason_fr,
            "la qualification de «\u{A0}Y\u{A0}» a expiré le 31\u{A0}janvier\u{A0}2024"
        );
        let v = judge(ClaimKind::Assertion, &in_progress());
        assert!(v.reason_fr.contains("depuis le 17\u{A0}avril\u{A0}2025"), "{}", v.reason_fr);
        assert!(v.reason_fr.contains("\u{A0}: il revendique"), "{}", v.reason_fr);
        for s in [holds(), in_progress(), Standing::NotCovered { scheme: "hds".into() }].into_iter().chain(nothing()) {
            for k in ClaimKind::ALL {
                let v = judge(k, &s);
                assert!(!v.reason_fr.is_empty() && v.reason_fr != v.reason, "{k} {s:?}");
            }
        }
    }
}
