//! Proptest strategies for every variant of a registry standing, over caller-chosen names and dates.

use chrono::NaiveDate;
use claimwatch::registry::{Lapse, Standing};
use proptest::prelude::*;

/// Every variant of [`Lapse`]; `name` and `date` make the strategies of its fields.
pub fn lapse<N, D>(name: fn() -> N, date: fn() -> D) -> impl Strategy<Value = Lapse>
where
    N: Strategy<Value = String>,
    D: Strategy<Value = NaiveDate>,
{
    let maybe = move || proptest::option::of(date());
    prop_oneof![
        (name(), date()).prop_map(|(offer, since)| Lapse::NotYet { offer, since }),
        (name(), maybe()).prop_map(|(offer, until)| Lapse::Expired { offer, until }),
        (name(), maybe()).prop_map(|(offer, until)| Lapse::Withdrawn { offer, until }),
        (name(), maybe()).prop_map(|(offer, since)| Lapse::InProgressFrom { offer, since }),
    ]
}

/// Every variant of [`Standing`], with arbitrary contents.
pub fn standing<N, D>(name: fn() -> N, date: fn() -> D) -> impl Strategy<Value = Standing>
where
    N: Strategy<Value = String>,
    D: Strategy<Value = NaiveDate>,
{
    let offers = move || proptest::collection::vec(name(), 0..3);
    let maybe = move || proptest::option::of(date());
    prop_oneof![
        name().prop_map(|scheme| Standing::NotCovered { scheme }),
        Just(Standing::NoVendor),
        name().prop_map(|vendor| Standing::NoProvider { vendor }),
        name().prop_map(|provider| Standing::NoEntry { provider }),
        (name(), date()).prop_map(|(provider, last_as_of)| Standing::Departed { provider, last_as_of }),
        name().prop_map(|provider| Standing::UnknownProvider { provider }),
        (name(), offers(), maybe()).prop_map(|(provider, offers, until)| Standing::Holds { provider, offers, until }),
        (name(), offers(), maybe()).prop_map(|(provider, offers, since)| Standing::InProgress {
            provider,
            offers,
            since
        }),
        (name(), lapse(name, date)).prop_map(|(provider, lapse)| Standing::Lapsed { provider, lapse }),
    ]
}

/// Fails to compile when a variant is added to [`Standing`] or [`Lapse`]: the strategies above
/// must then learn to generate it.
#[allow(dead_code)]
fn strategies_cover_every_variant(standing: &Standing) {
    match standing {
        Standing::NotCovered { .. }
        | Standing::NoVendor
        | Standing::NoProvider { .. }
        | Standing::NoEntry { .. }
        | Standing::Departed { .. }
        | Standing::UnknownProvider { .. }
        | Standing::Holds { .. }
        | Standing::InProgress { .. } => {}
        Standing::Lapsed { lapse, .. } => match lapse {
            Lapse::NotYet { .. } | Lapse::Expired { .. } | Lapse::Withdrawn { .. } | Lapse::InProgressFrom { .. } => {}
        },
    }
}
