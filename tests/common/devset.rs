//! The development set's world: the shipped pattern files, with the set's own invented gazetteer and registry.

use std::sync::OnceLock;

use claimwatch::gazetteer::Gazetteer;
use claimwatch::patterns::{PatternSet, load_dir};
use claimwatch::registry::Registry;

pub struct World {
    pub patterns: PatternSet,
    pub gazetteer: Gazetteer,
    pub registry: Registry,
}

/// Loaded once per test binary.
pub fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let set = super::fixture("devset");
        World {
            patterns: load_dir(&super::root().join("patterns")).unwrap_or_else(|e| panic!("patterns/: {e}")),
            gazetteer: Gazetteer::load(&set.join("gazetteer.toml")).unwrap_or_else(|e| panic!("{e}")),
            registry: Registry::load(&set.join("registry.toml")).unwrap_or_else(|e| panic!("{e}")),
        }
    })
}
